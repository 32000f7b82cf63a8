// The public API. Tests and users import from here only.
export { boot, type BootOptions } from './boot.js';
export { Stage, treeFiles, type StageFile, type StageOptions } from './stage/stage.js';
export { execProgram, type ProgramInit } from './guest/program.js';
export { StartedGuest } from './guest/started-guest.js';
export { guest, asmGuest, loadImage, checkGuestImage, type GuestSpec, type GuestInit, type TraceKind } from './guest/guest.js';
export { checkImage, memoryMap, region, type MemoryMap, type ImageCheckOptions, type ImageVerdict, type MemoryRegion, type LoadSegment } from './native/addon.js';
export { RunResult, type SbiCall, type TimelineEntry } from './run/result.js';
export { runMismatches, type RunExpectation } from './run/expectation.js';
export { SBI_EID, SBI_EID_NAMES, sbiCallName, type SbiEidName, type SbiExtName, type SbiServeName } from './protocol/sbi.js';
export { config, loadManifest, type Manifest } from './config.js';
export { describeFault, parseEvent, FAULT_KINDS, type ExitKind, type Fault, type StageEvent, type EndEvent, type SbiEvent, type StartEvent } from './protocol/events.js';
export * from './errors.js';
export { linuxGuest, linuxCmdline, linuxInitramfs, kernelPanic, ext2Image, type LinuxGuestInit } from './guest/linux.js';
export * from './guest/uboot.js';
export { mbrDisk } from './guest/mbr.js';
export { isKnownDeviation, parseTap, tallyTap, tapVerdict, type TapDeviations, type TapPoint, type TapReport, type TapTally, type TapVerdict } from './protocol/tap.js';
export { buildGuests, type BuildGuestsOptions, type GuestBuild, type ToolchainPreference } from './build/toolchain.js';
export { EngineUnavailableError, ToolchainImageError, GuestBuildError } from './build/errors.js';
