// Command gendoc writes docs/keys.md from the keymap package:
// go generate ./keymap.
package main

import (
	"fmt"
	"os"

	"mmhex/keymap"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gendoc FILE")
		os.Exit(2)
	}
	if err := os.WriteFile(os.Args[1], []byte(keymap.Markdown()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gendoc:", err)
		os.Exit(1)
	}
}
