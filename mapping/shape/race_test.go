//go:build race

package shape

// raceEnabled: under the race detector (about 20 times slower on these
// byte loops) the identity tests run on less data; `go test` without
// -race runs them whole.
const raceEnabled = true
