# ELF object files (executables, shared libraries, relocatable objects,
# core dumps): the identification bytes, the file header, the program
# headers and the section headers with their names. Written for mmhex
# from the System V ABI (gABI) tables.
meta:
  id: elf
  title: ELF object file
  file-extension: [elf, so, o, ko]
  endian:
    switch-on: data
    cases:
      'data::lsb': le
      'data::msb': be
seq:
  - id: magic
    contents: [0x7f, "ELF"]
  - id: class
    type: u1
    enum: class
  - id: data
    type: u1
    enum: data
  - id: ei_version
    type: u1
  - id: os_abi
    type: u1
    enum: os_abi
  - id: abi_version
    type: u1
  - id: ei_pad
    size: 7
  - id: header
    type: header
instances:
  program_headers:
    pos: header.e_phoff
    size: header.e_phentsize
    type:
      switch-on: class
      cases:
        'class::elf32': program_header32
        'class::elf64': program_header64
    repeat: expr
    repeat-expr: header.e_phnum
  section_headers:
    pos: header.e_shoff
    size: header.e_shentsize
    type: section_header
    repeat: expr
    repeat-expr: header.e_shnum
types:
  header:
    seq:
      - id: e_type
        type: u2
        enum: obj_type
      - id: e_machine
        type: u2
        enum: machine
      - id: e_version
        type: u4
      - id: e_entry
        type:
          switch-on: _root.class
          cases:
            'class::elf32': u4
            'class::elf64': u8
      - id: e_phoff
        type:
          switch-on: _root.class
          cases:
            'class::elf32': u4
            'class::elf64': u8
      - id: e_shoff
        type:
          switch-on: _root.class
          cases:
            'class::elf32': u4
            'class::elf64': u8
      - id: e_flags
        type: u4
      - id: e_ehsize
        type: u2
      - id: e_phentsize
        type: u2
      - id: e_phnum
        type: u2
      - id: e_shentsize
        type: u2
      - id: e_shnum
        type: u2
      - id: e_shstrndx
        type: u2
  program_header32:
    seq:
      - id: p_type
        type: u4
        enum: ph_type
      - id: p_offset
        type: u4
      - id: p_vaddr
        type: u4
      - id: p_paddr
        type: u4
      - id: p_filesz
        type: u4
      - id: p_memsz
        type: u4
      - id: p_flags
        type: u4
      - id: p_align
        type: u4
  program_header64:
    seq:
      - id: p_type
        type: u4
        enum: ph_type
      - id: p_flags
        type: u4
      - id: p_offset
        type: u8
      - id: p_vaddr
        type: u8
      - id: p_paddr
        type: u8
      - id: p_filesz
        type: u8
      - id: p_memsz
        type: u8
      - id: p_align
        type: u8
  section_header:
    seq:
      - id: sh_name
        type: u4
      - id: sh_type
        type: u4
        enum: sh_type
      - id: sh_flags
        type:
          switch-on: _root.class
          cases:
            'class::elf32': u4
            'class::elf64': u8
      - id: sh_addr
        type:
          switch-on: _root.class
          cases:
            'class::elf32': u4
            'class::elf64': u8
      - id: sh_offset
        type:
          switch-on: _root.class
          cases:
            'class::elf32': u4
            'class::elf64': u8
      - id: sh_size
        type:
          switch-on: _root.class
          cases:
            'class::elf32': u4
            'class::elf64': u8
      - id: sh_link
        type: u4
      - id: sh_info
        type: u4
      - id: sh_addralign
        type:
          switch-on: _root.class
          cases:
            'class::elf32': u4
            'class::elf64': u8
      - id: sh_entsize
        type:
          switch-on: _root.class
          cases:
            'class::elf32': u4
            'class::elf64': u8
    instances:
      name:
        io: _root._io
        pos: _root.section_headers[_root.header.e_shstrndx].sh_offset + sh_name
        type: strz
        encoding: UTF-8
        if: _root.header.e_shstrndx != 0 and _root.header.e_shstrndx < _root.header.e_shnum
enums:
  class:
    1: elf32
    2: elf64
  data:
    1: lsb
    2: msb
  os_abi:
    0: sysv
    1: hpux
    2: netbsd
    3: linux
    6: solaris
    9: freebsd
    12: openbsd
    97: arm
    255: standalone
  obj_type:
    0: none
    1: rel
    2: exec
    3: dyn
    4: core
  machine:
    0: none
    2: sparc
    3: x86
    8: mips
    20: powerpc
    21: powerpc64
    22: s390
    40: arm
    43: sparcv9
    50: ia64
    62: x86_64
    183: aarch64
    243: riscv
    258: loongarch
  ph_type:
    0: null_type
    1: load
    2: dynamic
    3: interp
    4: note
    5: shlib
    6: phdr
    7: tls
    0x6474e550: gnu_eh_frame
    0x6474e551: gnu_stack
    0x6474e552: gnu_relro
    0x6474e553: gnu_property
  sh_type:
    0: null_type
    1: progbits
    2: symtab
    3: strtab
    4: rela
    5: hash
    6: dynamic
    7: note
    8: nobits
    9: rel
    10: shlib
    11: dynsym
    14: init_array
    15: fini_array
    16: preinit_array
    17: group
    18: symtab_shndx
    0x6ffffff6: gnu_hash
    0x6ffffffd: gnu_verdef
    0x6ffffffe: gnu_verneed
    0x6fffffff: gnu_versym
