package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestCIChecksHygiene: before the tests, .ci/run fails when go mod tidy
// would change go.mod or go.sum, and runs staticcheck, installed at a
// pinned version and called by its full path, on the whole module.
func TestCIChecksHygiene(t *testing.T) {
	b, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	ci := string(b)
	test := strings.LastIndex(ci, "go test -race ./...")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^if ! go mod tidy -diff; then\n(\t.*\n)*\texit 1\nfi$`),
		regexp.MustCompile(`(?m)^staticcheck_version=v\d+\.\d+\.\d+$`),
		regexp.MustCompile(`(?m)^go install "honnef\.co/go/tools/cmd/staticcheck@\$staticcheck_version"$`),
		regexp.MustCompile(`(?m)^"\$gobin/staticcheck" \./\.\.\.$`),
	} {
		loc := want.FindStringIndex(ci)
		if loc == nil || loc[1] > test {
			t.Errorf(".ci/run has no line matching %s before the tests", want)
		}
	}
}
