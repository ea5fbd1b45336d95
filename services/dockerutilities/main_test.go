package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunsAsRoot(t *testing.T) {
	for user, want := range map[string]bool{"": true, "0": true, "root:staff": true, "0:0": true, "65532": false, "nonroot:nonroot": false} {
		if got := runsAsRoot(user); got != want {
			t.Errorf("runsAsRoot(%q) = %v, want %v", user, got, want)
		}
	}
}

func TestSummarise(t *testing.T) {
	in := `[{"Id":"sha256:1","RepoTags":["x:1"],"Os":"linux","Architecture":"amd64","Config":{"User":"65532:65532","Entrypoint":["/x"],"Labels":{"b":"2","a":"1"}}}]`
	var out bytes.Buffer
	if err := summarise(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if !strings.Contains(text, `"65532:65532" (non-root)`) || strings.Index(text, "a=1") > strings.Index(text, "b=2") {
		t.Errorf("unexpected summary:\n%s", text)
	}
	if err := summarise(strings.NewReader(`[]`), &out); err == nil {
		t.Error("empty inspect output accepted")
	}
}
