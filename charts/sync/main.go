// Command sync copies the alert rules and the Grafana dashboard into the Helm
// chart, which cannot read files outside itself. `go generate ./charts`
// runs it; it finds the repository from the working directory, so
// `go run ./charts/sync` from the top works too.
package main

import (
	"bytes"
	"errors"
	"io/fs"
	"log"
	"os"
	"path/filepath"
)

// copies maps each file of the chart, relative to the repository's top, to
// the file it is a copy of. charts/chart_test.go checks the same list.
var copies = map[string]string{
	"charts/swr-exporter/files/swr.rules.yml": "alerts/swr.rules.yml",
	"charts/swr-exporter/files/swr.json":      "dashboards/swr.json",
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("sync: ")

	root, err := repositoryRoot()
	if err != nil {
		log.Fatal(err)
	}
	for copyPath, source := range copies {
		updated, err := copyFile(filepath.Join(root, source), filepath.Join(root, copyPath))
		if err != nil {
			log.Fatalf("copying %s to %s: %v", source, copyPath, err)
		}
		if updated {
			log.Printf("%s updated from %s", copyPath, source)
		}
	}
}

// repositoryRoot is the closest directory above the working directory that
// holds go.mod.
func repositoryRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		_, err := os.Stat(filepath.Join(dir, "go.mod"))
		switch {
		case err == nil:
			return dir, nil
		case !errors.Is(err, fs.ErrNotExist):
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// copyFile writes the content of source to target and reports whether it
// changed anything: an unchanged copy is left alone, modification time and
// all.
func copyFile(source, target string) (bool, error) {
	content, err := os.ReadFile(source)
	if err != nil {
		return false, err
	}
	if current, err := os.ReadFile(target); err == nil && bytes.Equal(current, content) {
		return false, nil
	}
	if err := os.WriteFile(target, content, 0o644); err != nil {
		return false, err
	}
	return true, nil
}
