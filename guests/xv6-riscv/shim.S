/*
 * shim.S - the "M-mode personality" that lets an unmodified xv6-riscv boot as a KVM guest.
 *
 * xv6 expects to start in M-mode: entry.S reads mhartid and start.c writes mstatus, mepc,
 * medeleg/mideleg, pmpaddr0/pmpcfg0, mie, mtvec, mscratch (CLINT era) or menvcfg/mcounteren
 * (Sstc era), then executes mret into main() in S-mode. A KVM guest runs in VS-mode, where
 * every M-mode CSR access and mret raise an illegal-instruction exception, which KVM redirects
 * to the guest's own trap vector (stvec).
 *
 * So the VMM loads this shim in the firmware window and starts every hart here, with
 * a0 = hartid, a1 = DTB, a2 = the kernel's entry. The shim points stvec at itself and jumps to
 * the kernel "as if in M-mode". Each trapping instruction comes back here; the shim decodes
 * it (RISC-V privileged spec: Zicsr CSRRW/S/C[I], and MRET), applies it to per-hart shadow
 * registers, and resumes after it. MRET becomes an SRET into the shadow mepc with the shadow
 * MPP, after which the shim is out of the picture: xv6 installs its own stvec in main().
 *
 * What the shadow M-state does NOT do is deliver machine interrupts, so timervec never runs:
 * the VMM's CLINT model (--profile xv6, vmm/dev/clint.c) raises the supervisor software
 * interrupt timervec would have raised. The newer xv6 programs stimecmp instead, which in
 * VS-mode is the hardware vstimecmp (Sstc, which KVM passes through): the shim only has to
 * shadow the menvcfg.STCE and mcounteren.TM writes that enable it on a real M-mode.
 *
 * Any other trap during the M-mode phase ends the run through the BOOTCASE EXIT hypercall with
 * code 0x5EC0 + scause and the details printed, so an unsupported instruction is a clear failure.
 *
 * The shim uses no stack (the kernel's sp may not be set up yet) and no memory but its own
 * window: the trap handler runs with paging off, as every M-mode trap would.
 */
	.option nopic
	.option norvc

#define SBI_EXT_DBCN 0x4442434E
#define SBI_EXT_BOOTCASE 0x08424354

/* per-hart area: 32 saved GPRs (x0 slot unused), then the shadow CSRs, slot i at SHADOW + 8*i */
#define HART_AREA 512
#define GPR(n) ((n) * 8)
#define SHADOW 256
#define HARTID_OFF (SHADOW + 0)

	.section .text.entry
	.globl _start
_start:
	la t0, trap
	csrw stvec, t0
	la t0, harts
	li t1, HART_AREA
	mul t1, t1, a0
	add t0, t0, t1
	csrw sscratch, t0          /* the trap handler finds its hart's area here */
	sd a0, HARTID_OFF(t0)
	jr a2                      /* into the kernel, which believes it is in M-mode */

	.balign 4
trap:
	csrrw t0, sscratch, t0     /* t0 = hart area; sscratch = the kernel's t0 */
	.irp n, 1,2,3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd x\n, GPR(\n)(t0)
	.endr
	csrr t1, sscratch
	sd t1, GPR(5)(t0)          /* the kernel's t0 */
	mv s0, t0                  /* s0 = hart area for the rest of the handler */
	li s2, 0                   /* the instruction, once decoded (for the failure report) */
	csrr t1, scause
	li t2, 2                   /* illegal instruction */
	bne t1, t2, unsupported
	csrr s1, sepc
	lhu t1, 0(s1)              /* the instruction, as two halfwords (sepc may be 2-aligned) */
	lhu t2, 2(s1)
	slli t2, t2, 16
	or s2, t1, t2              /* s2 = instruction */
	li t1, 0x30200073          /* mret */
	beq s2, t1, do_mret
	andi t1, s2, 0x7f
	li t2, 0x73                /* SYSTEM opcode */
	bne t1, t2, unsupported
	srli s3, s2, 12
	andi s3, s3, 7             /* s3 = funct3: 1 RW, 2 RS, 3 RC, 5/6/7 immediate forms */
	beqz s3, unsupported
	li t1, 4
	beq s3, t1, unsupported
	srli a0, s2, 20            /* csr number */
	call shadow_slot           /* a0 = address of the shadow register, or 0 */
	beqz a0, unsupported
	mv s4, a0
	srli s5, s2, 15
	andi s5, s5, 31            /* s5 = rs1 (or zimm) */
	mv s6, s5                  /* s6 = source value */
	andi t1, s3, 4
	bnez t1, 1f                /* immediate form: the value is zimm itself */
	slli t1, s5, 3
	add t1, t1, s0
	ld s6, 0(t1)               /* the kernel's rs1 register */
	beqz s5, 0f
	j 1f
0:	li s6, 0                   /* x0 */
1:	ld s7, 0(s4)               /* old value */
	andi t1, s3, 3
	li t2, 1
	beq t1, t2, 2f             /* RW: new = src */
	beqz s5, 3f                /* RS/RC with rs1 = x0 (or zimm 0): read only, no write */
	li t2, 2
	beq t1, t2, 4f
	not t3, s6                 /* RC: new = old & ~src */
	and t3, s7, t3
	j 5f
4:	or t3, s7, s6              /* RS: new = old | src */
	j 5f
2:	mv t3, s6
5:	addi t1, s4, -SHADOW       /* slot 0, mhartid, is read-only: writes to it are refused */
	sub t1, t1, s0
	beqz t1, unsupported
	sd t3, 0(s4)
3:	srli t1, s2, 7
	andi t1, t1, 31            /* rd */
	beqz t1, 6f
	slli t1, t1, 3
	add t1, t1, s0
	sd s7, 0(t1)               /* rd = old value */
6:	addi s1, s1, 4
	csrw sepc, s1
	j resume

do_mret:
	ld t1, (SHADOW + 8)(s0)    /* shadow mstatus */
	srli t2, t1, 11
	andi t2, t2, 3             /* MPP */
	li t3, 1 << 8              /* sstatus.SPP */
	csrc sstatus, t3
	li t4, 3
	beq t2, t4, unsupported    /* MPP = M: nothing we can return to */
	beqz t2, 7f
	csrs sstatus, t3           /* MPP = S */
	/* sstatus.SPIE holds SIE as it was at the mret (the trap saved it there), and mret leaves
	 * S-mode's SIE alone, so the sret below restores exactly that */
7:	ld t1, (SHADOW + 16)(s0)   /* shadow mepc */
	csrw sepc, t1
	csrw sscratch, zero        /* the shim is done with this hart */
	mv t0, s0
	.irp n, 1,2,3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld x\n, GPR(\n)(t0)
	.endr
	ld t0, GPR(5)(t0)
	sret

resume:
	mv t0, s0
	.irp n, 1,2,3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld x\n, GPR(\n)(t0)
	.endr
	csrw sscratch, t0
	ld t0, GPR(5)(t0)
	sret

/* a0 = CSR number -> a0 = its shadow slot in this hart's area (s0), or 0 if we do not model it */
shadow_slot:
	la t1, csr_table
	li t2, 0
1:	lhu t3, 0(t1)
	beqz t3, 3f
	beq t3, a0, 2f
	addi t1, t1, 2
	addi t2, t2, 1
	j 1b
2:	slli t2, t2, 3
	add a0, s0, t2
	addi a0, a0, SHADOW
	ret
3:	li a0, 0
	ret

/* Print what we could not handle and end the run: scause, sepc, stval, the instruction. */
unsupported:
	la a0, msg
	call puts
	csrr a0, scause
	call puthex
	csrr a0, sepc
	call puthex
	csrr a0, stval
	call puthex
	mv a0, s2
	call puthex
	la a0, newline
	call puts
	csrr a0, scause
	li t1, 0x5ec0
	add a0, a0, t1
	li a7, SBI_EXT_BOOTCASE
	li a6, 0
	ecall
8:	j 8b

puts:	/* a0 = string: one DBCN write */
	mv t1, a0
	mv t2, a0
1:	lbu t3, 0(t2)
	beqz t3, 2f
	addi t2, t2, 1
	j 1b
2:	sub a0, t2, t1
	mv a1, t1
	li a2, 0
	li a7, SBI_EXT_DBCN
	li a6, 0
	ecall
	ret

puthex:	/* a0 = value: " 0x" + 16 digits; no stack, ra kept in t6 (puts leaves it alone) */
	mv t6, ra
	la t1, hexbuf
	li t2, 60
	addi t4, t1, 3
1:	srl t3, a0, t2
	andi t3, t3, 15
	la t5, digits
	add t5, t5, t3
	lbu t3, 0(t5)
	sb t3, 0(t4)
	addi t4, t4, 1
	addi t2, t2, -4
	bgez t2, 1b
	la a0, hexbuf
	call puts
	mv ra, t6
	ret

	.section .rodata
/* The CSRs xv6's start path touches, CLINT and Sstc eras; slot i lives at SHADOW + 8*i. */
csr_table:
	.half 0xf14  /* mhartid (read-only; value stored at entry) */
	.half 0x300  /* mstatus */
	.half 0x341  /* mepc */
	.half 0x302  /* medeleg */
	.half 0x303  /* mideleg */
	.half 0x304  /* mie */
	.half 0x305  /* mtvec */
	.half 0x306  /* mcounteren */
	.half 0x30a  /* menvcfg */
	.half 0x340  /* mscratch */
	.half 0x342  /* mcause */
	.half 0x343  /* mtval */
	.half 0x344  /* mip */
	.half 0x3a0  /* pmpcfg0 */
	.half 0x3b0  /* pmpaddr0 */
	.half 0
digits:	.ascii "0123456789abcdef"
msg:	.asciz "xv6 shim: unsupported trap in the M-mode phase: scause, sepc, stval, insn:"

	.data
hexbuf:	.asciz " 0x0000000000000000"
newline: .asciz "\n"
	.balign 16
harts:	.skip HART_AREA * 8
