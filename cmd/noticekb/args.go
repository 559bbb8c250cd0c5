package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// parseFlags parses a command's flags wherever they stand among its other
// arguments (`search "Korea Local Information" --size 2` is `search --size
// 2 "Korea Local Information"`); "--" ends the flags, so a word starting
// with a dash can still be searched or named. Afterwards fs.Args() holds
// the other arguments in their order. A command takes at most
// maxArgs[fs.Name()] of them; on -h it prints usage and returns flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var positional []string
	for len(args) > 0 {
		a := args[0]
		switch {
		case a == "--":
			positional = append(positional, args[1:]...)
			args = nil
			continue
		case len(a) < 2 || a[0] != '-':
			positional = append(positional, a)
			args = args[1:]
			continue
		}
		n := flagWords(fs, a, len(args))
		if err := fs.Parse(args[:n]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return usageError{err}
		}
		args = args[n:]
	}
	// Parsing "--" alone leaves the positional arguments as fs.Args().
	if err := fs.Parse(append([]string{"--"}, positional...)); err != nil {
		return usageError{err}
	}
	return checkArgs(fs.Name(), fs.Args())
}

// checkArgs holds a command to the number of arguments it takes besides
// its flags, before it opens or creates anything.
func checkArgs(name string, args []string) error {
	want, ok := argCounts[name]
	if !ok && strings.HasPrefix(name, "bench ") {
		want, ok = argCount{max: 0}, true // benchmarks take flags only
	}
	switch {
	case !ok:
		return nil
	case len(args) < want.min:
		return usageError{fmt.Errorf("%s: %s", name, want.missing)}
	case want.max == 0 && len(args) > 0:
		return usageError{fmt.Errorf("%s takes no arguments besides its flags, not %q", name, strings.Join(args, " "))}
	case want.max > 0 && len(args) > want.max:
		return usageError{fmt.Errorf("%s: %s; %q is one too many", name, want.missing, args[want.max])}
	}
	return nil
}

// flagWords is how many words the flag at the head of the arguments
// spans: two for a flag that takes a value given as the next word, else
// one (a bool flag, -flag=value, an unknown flag).
func flagWords(fs *flag.FlagSet, word string, left int) int {
	name := strings.TrimLeft(word, "-")
	if strings.Contains(name, "=") {
		return 1
	}
	f := fs.Lookup(name)
	if f == nil || name == "h" || name == "help" {
		return 1
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return 1
	}
	return min(2, left)
}

// argCount is how many arguments besides flags a command takes: at
// least min, at most max (many: no limit); missing says what to give.
type argCount struct {
	min, max int
	missing  string
}

const many = -1

// argCounts holds every command to its arguments, by its flag set's name;
// a test checks that each command has an entry.
var argCounts = map[string]argCount{
	"serve":     {},
	"crawl":     {1, many, "name at least one start URL"},
	"import":    {1, many, "name at least one file or folder"},
	"extract":   {1, many, "name at least one file"},
	"export":    {},
	"reindex":   {},
	"reextract": {},
	"backup":    {1, 1, "name one backup FILE"},
	"restore":   {1, 1, "name one backup FILE"},
	"search":    {0, many, ""},
	"version":   {},

	"sites add":     {1, many, "name at least one start URL"},
	"sites list":    {},
	"sites show":    {1, 1, "name one site"},
	"sites remove":  {1, many, "name at least one site"},
	"sites enable":  {1, many, "name at least one site"},
	"sites disable": {1, many, "name at least one site"},
	"sites run":     {0, many, ""},
}

// plural is "s" unless n is one.
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// count writes n and a noun that takes an s in the plural: "1 notice", "2 notices".
func count(n int, noun string) string {
	return fmt.Sprintf("%d %s%s", n, noun, plural(n))
}
