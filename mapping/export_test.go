package mapping

// The external test package (mapping_test: the tests that read the disk
// through mapping/pagecache) uses the internal tests' helpers through these.
var (
	OpenT    = open
	ReadAllT = readAll
)
