// Command noticekb is a searchable knowledge base of organisations' news
// and notices: it crawls or imports notice pages, extracts each notice,
// stores and indexes it, and serves faceted search.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/noticekb/noticekb/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		switch {
		case errors.Is(err, flag.ErrHelp), errors.Is(err, errReported):
		case errors.Is(err, context.Canceled) && ctx.Err() != nil:
			fmt.Fprintln(os.Stderr, "noticekb: interrupted; what was already stored is kept (run the command again to go on)")
		default:
			fmt.Fprintln(os.Stderr, "noticekb:", err)
		}
		os.Exit(exitCode(err))
	}
}

// env gives the process environment to commands, so tests can pass their own.
type env struct {
	getenv         func(string) string
	stdout, stderr io.Writer
}

// command is one subcommand.
type command struct {
	name, usage, summary string
	run                  func(ctx context.Context, e env, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"serve", "serve [--data DIR] [--addr HOST:PORT] [--public-url URL] [--allow HOST]... [--allow-private] [--crawl-delay DURATION] [--no-schedule] [--schedule-concurrency N] [--trusted-proxy ADDR]... [--rate-limit N] [limits]", "serve the search site and API (a new data folder gets the bundled demo)", cmdServe},
		{"crawl", "crawl [--data DIR] [--delay DURATION] [--concurrency N] [--max-pages N] [--include REGEXP]... [--exclude REGEXP]... URL...", "crawl sites from start URLs and index their notices", cmdCrawl},
		{"import", "import [--data DIR] [--base-url URL] PATH...", "import HTML files and folders (.html, .htm, .html.gz)", cmdImport},
		{"extract", "extract [--url URL] [--explain] FILE...", "extract notices from files as JSON lines, without storing them", cmdExtract},
		{"export", "export [--data DIR] [--all]", "print stored notices as JSON lines", cmdExport},
		{"sites", "sites <add|list|show|remove|enable|disable|run> [arguments]", "register sites that serve keeps current by itself, and run them (noticekb sites lists how)", cmdSites},
		{"reindex", "reindex [--data DIR]", "rebuild the search index from the store", cmdReindex},
		{"reextract", "reextract [--data DIR]", "re-extract every stored page with the current rules and taxonomy, without network", cmdReextract},
		{"backup", "backup [--data DIR] FILE", "write a consistent copy of the store to FILE, also while serve runs", cmdBackup},
		{"restore", "restore FILE --data NEWDIR", "restore a backup into a new data folder and rebuild its index", cmdRestore},
		{"search", "search [--data DIR] [--partner P]... [--topic T]... [--publisher P]... [--sdg S]... [--section S]... [--from D] [--to D] [--sort S] [--size N] [--page N | --after KEY...] [--facet-size N|all] [--months] [--verbatim] [--json] QUERY | --related ID", "search the knowledge base from the command line", cmdSearch},
		{"bench", "bench <name> [flags]", "run a benchmark against the shared test beds (noticekb bench lists them)", cmdBench},
		{"version", "version", "print the version", cmdVersion},
	}
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func cmdVersion(_ context.Context, e env, args []string) error {
	if err := parseFlags(newFlagSet(commandNamed("version"), e), args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "noticekb", version)
	return nil
}

// run is the whole program, callable from tests.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		// No command is a mistake (exit 2), not a request for help: a
		// script that lost its arguments must not pass for a success.
		printUsage(stderr)
		return usageError{errReported}
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		switch len(args) {
		case 1:
			printUsage(stdout)
			return nil
		case 2:
			return helpFor(e, args[1])
		}
		return usageError{fmt.Errorf("help: name one command, not %q", strings.Join(args[1:], " "))}
	case "-version", "--version":
		args[0] = "version"
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	printUsage(stderr)
	return usageError{fmt.Errorf("unknown command %q", args[0])}
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `noticekb is a searchable knowledge base of organisations' news and notices.

Usage:

	noticekb <command> [arguments]

The commands are:

`)
	for _, c := range commands {
		fmt.Fprintf(w, "\t%-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Use "noticekb help <command>" for more about a command.

Flags may stand before or after the other arguments; "--" ends them.

Environment:

`)
	for _, v := range config.Variables() {
		fmt.Fprintf(w, "\t%-25s %s\n", v.Name, v.Help)
	}
	fmt.Fprint(w, `
Exit status: 0 when the work was done, 1 when it was not (one line on
stderr says why), 2 for a mistake in the command line.
`)
}

func helpFor(e env, name string) error {
	for _, c := range commands {
		if c.name == name {
			// Each command prints its usage to stderr on -h; help sends it to stdout.
			c.run(context.Background(), env{getenv: e.getenv, stdout: e.stdout, stderr: e.stdout}, []string{"-h"})
			return nil
		}
	}
	return usageError{fmt.Errorf("unknown command %q", name)}
}

// newFlagSet makes a command's flag set whose -h prints its usage line,
// summary and flags.
func newFlagSet(c command, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "usage: noticekb %s\n\n%s.\n\n", c.usage, capitalize(c.summary))
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if len(names) > 0 {
			fmt.Fprintln(out, "Flags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

func commandNamed(name string) command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	panic("no command " + name)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// usageError is a mistake in the command line; it exits with status 2.
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

// errReported marks an error whose message was already printed.
var errReported = errors.New("reported")

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 1
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
