package main

import (
	"errors"
	"flag"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/config"
)

// Each command's usage line names every flag it has (serve's limits
// stand together as [limits]), so `noticekb help` hides nothing.
func TestUsageLinesListEveryFlag(t *testing.T) {
	limits := map[string]bool{}
	var c config.Config
	fs := flag.NewFlagSet("limits", flag.ContinueOnError)
	c.LimitFlags(fs)
	fs.VisitAll(func(f *flag.Flag) { limits[f.Name] = true })
	flagLine := regexp.MustCompile(`(?m)^  -(\S+)`)
	all := slices.Clone(commands)
	for _, c := range sitesCommands {
		all = append(all, command{name: "sites " + c.name, usage: c.usage})
	}
	for _, cmd := range all {
		if cmd.name == "bench" || cmd.name == "sites" {
			continue // a list of benchmarks or subcommands, each with its own flags
		}
		out, _, err := runCmd(t, "help", cmd.name)
		if sub, ok := strings.CutPrefix(cmd.name, "sites "); ok {
			_, out, err = runCmd(t, "sites", sub, "-h")
			if errors.Is(err, flag.ErrHelp) {
				err = nil
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range flagLine.FindAllStringSubmatch(out, -1) {
			name := m[1]
			if strings.Contains(cmd.usage, "--"+name) || (limits[name] && strings.Contains(cmd.usage, "[limits]")) {
				continue
			}
			t.Errorf("the usage line of %s does not name --%s:\n%s", cmd.name, name, cmd.usage)
		}
	}
}

// Every command says how many arguments it takes besides flags, so a
// stray word is refused rather than ignored.
func TestEveryCommandDeclaresItsArguments(t *testing.T) {
	for _, c := range commands {
		if _, ok := argCounts[c.name]; !ok && c.name != "bench" && c.name != "sites" {
			t.Errorf("command %s has no entry in argCounts", c.name)
		}
	}
	for _, c := range sitesCommands {
		if _, ok := argCounts["sites "+c.name]; !ok {
			t.Errorf("command sites %s has no entry in argCounts", c.name)
		}
	}
}

// Flags stand anywhere among the other arguments; "--" ends them.
func TestFlagsAnywhere(t *testing.T) {
	tests := []struct {
		args      []string
		size      int
		json      bool
		positions []string
	}{
		{[]string{"Korea Local Information", "--size", "2"}, 2, false, []string{"Korea Local Information"}},
		{[]string{"--size", "2", "Korea", "--json", "Local"}, 2, true, []string{"Korea", "Local"}},
		{[]string{"-size=3", "smart", "--", "--json", "-x"}, 3, false, []string{"smart", "--json", "-x"}},
		{[]string{"--json", "--", "--size"}, 10, true, []string{"--size"}},
		{[]string{"-"}, 10, false, []string{"-"}},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("search", flag.ContinueOnError)
		size := fs.Int("size", 10, "")
		asJSON := fs.Bool("json", false, "")
		if err := parseFlags(fs, tt.args); err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if *size != tt.size || *asJSON != tt.json || strings.Join(fs.Args(), "|") != strings.Join(tt.positions, "|") {
			t.Errorf("%q: size %d json %v args %q; want %d %v %q", tt.args, *size, *asJSON, fs.Args(), tt.size, tt.json, tt.positions)
		}
	}
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	fs.SetOutput(new(strings.Builder))
	fs.Int("size", 10, "")
	var u usageError
	if err := parseFlags(fs, []string{"words", "--size"}); !errors.As(err, &u) {
		t.Errorf("a flag without its value: %v, want a usage error", err)
	}
}
