#include "textflag.h"

// xxdRowsAVX: xxd rows with 8-digit offsets, 68 bytes each:
//   0-7 offset, 8 ':', 9 ' ', 10-48 eight groups of four hex digits with
//   a blank between, 49-50 blanks, 51-66 text, 67 '\n'.

// the hex digits
DATA hexdig<>+0(SB)/8, $0x3736353433323130
DATA hexdig<>+8(SB)/8, $0x6665646362613938
GLOBL hexdig<>(SB), RODATA|NOPTR, $16

// the low nibble of each byte
DATA low4<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA low4<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL low4<>(SB), RODATA|NOPTR, $16

// bytes 8-23 of a row: ':' ' ' A0-3 ' ' A4-7 ' ' A8-11 (A: the digits of row bytes 0-7)
DATA idx1<>+0(SB)/8, $0x0480030201008080
DATA idx1<>+8(SB)/8, $0x0b0a090880070605
GLOBL idx1<>(SB), RODATA|NOPTR, $16

// the punctuation of bytes 8-23
DATA or1<>+0(SB)/8, $0x002000000000203a
DATA or1<>+8(SB)/8, $0x0000000020000000
GLOBL or1<>(SB), RODATA|NOPTR, $16

// bytes 24-39: ' ' A12-15 ' ' B0-3 ' ' B4-7 ' ' (B: the digits of row bytes 8-15); from A
DATA idx2a<>+0(SB)/8, $0x8080800f0e0d0c80
DATA idx2a<>+8(SB)/8, $0x8080808080808080
GLOBL idx2a<>(SB), RODATA|NOPTR, $16

// from B
DATA idx2b<>+0(SB)/8, $0x0100808080808080
DATA idx2b<>+8(SB)/8, $0x8007060504800302
GLOBL idx2b<>(SB), RODATA|NOPTR, $16

// the blanks of bytes 24-39
DATA or2<>+0(SB)/8, $0x0000200000000020
DATA or2<>+8(SB)/8, $0x2000000000200000
GLOBL or2<>(SB), RODATA|NOPTR, $16

// bytes 40-55: B8-11 ' ' B12-15 ' ' ' ', then the text (stored over 51-55)
DATA idx3<>+0(SB)/8, $0x0e0d0c800b0a0908
DATA idx3<>+8(SB)/8, $0x808080808080800f
GLOBL idx3<>(SB), RODATA|NOPTR, $16

// the blanks of bytes 40-55
DATA or3<>+0(SB)/8, $0x0000002000000000
DATA or3<>+8(SB)/8, $0x0000000000202000
GLOBL or3<>(SB), RODATA|NOPTR, $16

// bytes above 0x1f (signed: 0x80-0xff are below) ...
DATA c1f<>+0(SB)/8, $0x1f1f1f1f1f1f1f1f
DATA c1f<>+8(SB)/8, $0x1f1f1f1f1f1f1f1f
GLOBL c1f<>(SB), RODATA|NOPTR, $16

// ... and below 0x7f are shown, others are dots
DATA c7f<>+0(SB)/8, $0x7f7f7f7f7f7f7f7f
DATA c7f<>+8(SB)/8, $0x7f7f7f7f7f7f7f7f
GLOBL c7f<>(SB), RODATA|NOPTR, $16

// '.'
DATA dots<>+0(SB)/8, $0x2e2e2e2e2e2e2e2e
DATA dots<>+8(SB)/8, $0x2e2e2e2e2e2e2e2e
GLOBL dots<>(SB), RODATA|NOPTR, $16

// func xxdRowsAVX(dst *byte, src *byte, n int, off uint32)
//
// Writes n rows (68*n bytes at dst) of the 16*n bytes at src; the first
// row's offset is off, the last one's off+16*(n-1) < 1<<32.
TEXT ·xxdRowsAVX(SB), NOSPLIT, $0-28
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVL off+24(FP), DX
	TESTQ CX, CX
	JLE done
	VMOVDQU hexdig<>(SB), X15
	VMOVDQU low4<>(SB), X14
	VMOVDQU c1f<>(SB), X13
	VMOVDQU c7f<>(SB), X12
	VMOVDQU dots<>(SB), X11

loop:
	// the offset: 4 bytes, most significant first, to 8 digits
	MOVL DX, AX
	BSWAPL AX
	VMOVQ AX, X0
	VPSRLW $4, X0, X1
	VPAND X14, X1, X1
	VPAND X14, X0, X0
	VPSHUFB X1, X15, X1
	VPSHUFB X0, X15, X0
	VPUNPCKLBW X0, X1, X1
	VMOVQ X1, 0(DI)

	// the 16 bytes to 32 digits: A (bytes 0-7), B (bytes 8-15)
	VMOVDQU (SI), X0
	VPSRLW $4, X0, X1
	VPAND X14, X1, X1
	VPAND X14, X0, X2
	VPSHUFB X1, X15, X1
	VPSHUFB X2, X15, X2
	VPUNPCKLBW X2, X1, X3 // A
	VPUNPCKHBW X2, X1, X4 // B

	VPSHUFB idx1<>(SB), X3, X5
	VPOR or1<>(SB), X5, X5
	VMOVDQU X5, 8(DI)

	VPSHUFB idx2a<>(SB), X3, X5
	VPSHUFB idx2b<>(SB), X4, X6
	VPOR X6, X5, X5
	VPOR or2<>(SB), X5, X5
	VMOVDQU X5, 24(DI)

	VPSHUFB idx3<>(SB), X4, X5
	VPOR or3<>(SB), X5, X5
	VMOVDQU X5, 40(DI)

	// the text: 0x20..0x7e as they are, the rest '.'
	VPCMPGTB X13, X0, X5 // > 0x1f (signed)
	VPCMPGTB X0, X12, X6 // < 0x7f
	VPAND X6, X5, X5
	VPAND X5, X0, X6
	VPANDN X11, X5, X7
	VPOR X7, X6, X6
	VMOVDQU X6, 51(DI)
	MOVB $10, 67(DI)

	ADDQ $16, SI
	ADDQ $68, DI
	ADDL $16, DX
	DECQ CX
	JNZ loop

done:
	RET
