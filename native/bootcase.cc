// bootcase.cc - the VMM's loader and facts for the harness (node-addon-api).
//
// The harness checks a guest image before anything boots with the very C code the VMM loads it
// with (vmm/loader: loader__check), and reads the memory map, the SBI EIDs and the fault kinds
// from the VMM's headers, so no fact is copied into TypeScript. Built by native/build.mjs.
#include <napi.h>

#include "facts.h"
extern "C" {
#include "loader.h"
}

namespace {

Napi::BigInt Big(Napi::Env env, uint64_t v) { return Napi::BigInt::New(env, v); }

// A bigint (or a safe integer number) option; absent = fallback.
uint64_t U64(const Napi::Object &o, const char *key, uint64_t fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (v.IsBigInt()) {
    bool lossless = true;
    uint64_t r = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) throw Napi::RangeError::New(o.Env(), std::string(key) + " is not a 64-bit unsigned value");
    return r;
  }
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (d < 0 || d > 9007199254740991.0 || d != (double)(uint64_t)d)
      throw Napi::RangeError::New(o.Env(), std::string(key) + " is not a non-negative integer");
    return (uint64_t)d;
  }
  throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a bigint");
}

// checkImage(bytes, { ramBase, ramSize, format?: 'auto' | 'flat', load?, entry? })
//   -> { ok: true, format, entry, lo, hi, segments } | { ok: false, reason, message }
Napi::Value CheckImage(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsObject())
    throw Napi::TypeError::New(env, "checkImage(bytes: Uint8Array, options: object)");
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  Napi::Object opts = info[1].As<Napi::Object>();
  struct image_decl decl = {IMAGE_AUTO, 0, 0};
  Napi::Value fmt = opts.Get("format");
  if (!fmt.IsUndefined()) {
    std::string f = fmt.ToString().Utf8Value();
    if (f == "flat") decl.format = IMAGE_FLAT;
    else if (f != "auto") throw Napi::TypeError::New(env, "format must be 'auto' or 'flat', not '" + f + "'");
  }
  decl.load = U64(opts, "load", 0);
  decl.entry = U64(opts, "entry", 0);
  uint64_t ramBase = U64(opts, "ramBase", 0), ramSize = U64(opts, "ramSize", 0);
  struct load_info li;
  char err[256];
  int ret = loader__check(bytes.Data(), bytes.ByteLength(), &decl, ramBase, ramSize, &li, err, sizeof(err));
  Napi::Object out = Napi::Object::New(env);
  out.Set("ok", Napi::Boolean::New(env, ret == 0));
  if (ret) {
    out.Set("reason", loader__reason_name(li.reason));
    out.Set("message", err);
    return out;
  }
  out.Set("format", loader__format_name(li.format));
  out.Set("entry", Big(env, li.entry));
  out.Set("lo", Big(env, li.lo));
  out.Set("hi", Big(env, li.hi));
  Napi::Array segs = Napi::Array::New(env);
  for (unsigned i = 0; i < li.nr_segs && i < LOADER_MAX_SEGS; i++) {
    Napi::Object s = Napi::Object::New(env);
    s.Set("paddr", Big(env, li.segs[i].paddr));
    s.Set("memsz", Big(env, li.segs[i].memsz));
    s.Set("filesz", Big(env, li.segs[i].filesz));
    s.Set("offset", Big(env, li.segs[i].offset));
    segs.Set(i, s);
  }
  out.Set("segments", segs);
  return out;
}

Napi::Array Strings(Napi::Env env, const char *const *v, size_t n) {
  Napi::Array a = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; i++) a.Set(i, v[i]);
  return a;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  size_t n;
  exports.Set("checkImage", Napi::Function::New(env, CheckImage, "checkImage"));

  const struct fact_region *regions = facts__layout(&n);
  Napi::Array layout = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; i++) {
    Napi::Object r = Napi::Object::New(env);
    r.Set("name", regions[i].name);
    r.Set("base", Big(env, regions[i].base));
    r.Set("size", Big(env, regions[i].size));
    r.Set("irq", regions[i].irq);
    layout.Set(i, r);
  }
  exports.Set("layout", layout);

  struct fact_constants c;
  facts__constants(&c);
  Napi::Object k = Napi::Object::New(env);
  k.Set("dramBase", Big(env, c.dram_base));
  k.Set("virtioBase", Big(env, c.virtio_base));
  k.Set("virtioStride", Big(env, c.virtio_stride));
  k.Set("virtioSlots", c.virtio_slots);
  k.Set("timebaseHz", c.timebase_hz);
  k.Set("dtbMaxSize", Big(env, c.dtb_max_size));
  exports.Set("constants", k);

  const struct fact_eid *eids = facts__sbi_eids(&n);
  Napi::Object e = Napi::Object::New(env);
  for (size_t i = 0; i < n; i++) e.Set(eids[i].name, Big(env, eids[i].eid));
  exports.Set("sbiEids", e);

  const char *const *kinds = facts__fault_kinds(&n);
  exports.Set("faultKinds", Strings(env, kinds, n));
  const char *const *reasons = facts__loader_reasons(&n);
  exports.Set("loaderReasons", Strings(env, reasons, n));
  return exports;
}

}  // namespace

NODE_API_MODULE(bootcase, Init)
