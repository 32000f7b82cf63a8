/*
 * vm-vcpu.c - what the VM gives its run loop (vcpu.h): the view of the shared machine in
 * struct vcpu_env and the ops through which the loop asks the VM for what the VM owns, the
 * harts a served HSM parks (vm-sbi.c), the CLINT model's SSIP (vm-clint.c) and the once-per-run
 * phase events. The loop is the lower layer: it names none of these functions, so the calls
 * go one way, from the VM down into vcpu.c and back up only through this table.
 */
#include <pthread.h>

#include "vm.h"

static int vm_vcpu_deliver_ssip(struct vcpu *vcpu)
{
	return vm__deliver_ssip(vcpu->vm, vcpu);
}

static int vm_vcpu_hsm_gate(struct vcpu *vcpu)
{
	return vm__sbi_hsm_gate(vcpu->vm, vcpu);
}

static int vm_vcpu_suspend(struct vcpu *vcpu)
{
	return vm__sbi_suspend(vcpu->vm, vcpu);
}

static void vm_vcpu_trace_system_event(struct vcpu *vcpu)
{
	vm__sbi_trace_system_event(vcpu->vm, vcpu);
}

/* A phase event, once per run, from whichever vCPU gets there first (under dev.lock, which
 * guards the flags and the events fd). */
static void vm_vcpu_phase(struct vcpu *vcpu, enum vcpu_phase phase)
{
	struct vm *vm = vcpu->vm;
	int first_run = phase == VCPU_PHASE_FIRST_RUN;
	int *flag = first_run ? &vm->phase_first_run : &vm->phase_first_exit;
	const char *name = first_run ? "first-run" : "first-exit";

	pthread_mutex_lock(&vm->dev.lock);
	if (!*flag) {
		*flag = 1;
		events__phase(vm->ev, name);
	}
	pthread_mutex_unlock(&vm->dev.lock);
}

static const struct vcpu_ops vm_vcpu_ops = {
	.deliver_ssip = vm_vcpu_deliver_ssip,
	.hsm_gate = vm_vcpu_hsm_gate,
	.suspend = vm_vcpu_suspend,
	.enter_at = vm__sbi_enter_at,
	.trace_system_event = vm_vcpu_trace_system_event,
	.phase = vm_vcpu_phase,
};

void vm__vcpu_env(struct vm *vm)
{
	vm->vcpu_env = (struct vcpu_env){
		.ops = &vm_vcpu_ops,
		.stopping = &vm->stopping,
		.dev = &vm->dev,
		.sbi = &vm->sbi,
		.ev = vm->ev,
		.con = vm->con,
		.sbi_user = &vm->sbi_user,
		.sbi_trace = vm->cfg->sbi_trace,
	};
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		vm->vcpus[i].env = &vm->vcpu_env;
}
