// dockerutilities summarises `docker inspect` output: the user an image runs
// as, its entrypoint and its OCI labels, so a reviewer can see at a glance
// whether an image matches what its Dockerfile promised.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// version is set at link time: -ldflags "-X main.version=...".
var version = "dev"

type imageConfig struct {
	User       string            `json:"User"`
	Entrypoint []string          `json:"Entrypoint"`
	Cmd        []string          `json:"Cmd"`
	Labels     map[string]string `json:"Labels"`
}

type inspectedImage struct {
	ID           string      `json:"Id"`
	RepoTags     []string    `json:"RepoTags"`
	Architecture string      `json:"Architecture"`
	Os           string      `json:"Os"`
	Config       imageConfig `json:"Config"`
}

// runsAsRoot mirrors the container runtime: an empty user, 0 or root (with any group) is root.
func runsAsRoot(user string) bool {
	name, _, _ := strings.Cut(user, ":")
	return name == "" || name == "0" || name == "root"
}

func summarise(r io.Reader, w io.Writer) error {
	var images []inspectedImage
	if err := json.NewDecoder(r).Decode(&images); err != nil {
		return fmt.Errorf("not docker inspect output: %w", err)
	}
	if len(images) == 0 {
		return errors.New("docker inspect output lists no image")
	}
	for _, img := range images {
		fmt.Fprintf(w, "%s (%s/%s)\n", strings.Join(img.RepoTags, ", "), img.Os, img.Architecture)
		user := img.Config.User
		verdict := "non-root"
		if runsAsRoot(user) {
			verdict = "ROOT"
		}
		fmt.Fprintf(w, "  user:       %q (%s)\n", user, verdict)
		fmt.Fprintf(w, "  entrypoint: %s %s\n", strings.Join(img.Config.Entrypoint, " "), strings.Join(img.Config.Cmd, " "))
		keys := make([]string, 0, len(img.Config.Labels))
		for k := range img.Config.Labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  label:      %s=%s\n", k, img.Config.Labels[k])
		}
	}
	return nil
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		fmt.Println("dockerutilities", version)
		return
	}
	if len(os.Args) != 3 || os.Args[1] != "summarise" {
		fmt.Fprintln(os.Stderr, "usage: dockerutilities summarise INSPECT.json|-  (or --version)")
		os.Exit(2)
	}
	in := os.Stdin
	if os.Args[2] != "-" {
		f, err := os.Open(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "dockerutilities:", err)
			os.Exit(2)
		}
		defer f.Close()
		in = f
	}
	if err := summarise(in, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dockerutilities:", err)
		os.Exit(1)
	}
}
