package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/noticekb/noticekb/internal/kb"
	"github.com/noticekb/noticekb/internal/notice"
)

// noticeFields are the fields every JSON line about a notice starts with
// (export, and extract's contract).
type noticeFields struct {
	ID    string `json:"id"`
	URL   string `json:"url"`
	Title string `json:"title"`
	Date  string `json:"date"`
	// DateSource says where the date was read (rule, metadata, page, url,
	// search, updated …).
	DateSource string   `json:"date_source,omitempty"`
	Body       string   `json:"body"`
	Publisher  string   `json:"publisher"`
	Partners   []string `json:"partners"`
	Topics     []string `json:"topics"`
}

func fieldsOf(n notice.Notice) noticeFields {
	return noticeFields{ID: n.ID, URL: n.URL, Title: n.Title, Date: n.Date.String(), DateSource: n.DateSource, Body: n.Body,
		Publisher: n.Publisher, Partners: n.Partners, Topics: n.Topics}
}

// exportLine is one line of `noticekb export`.
type exportLine struct {
	noticeFields
	SDGs        []string `json:"sdgs,omitempty"`
	Sections    []string `json:"sections,omitempty"`
	Language    string   `json:"language,omitempty"`
	WithdrawnAt string   `json:"withdrawn_at,omitempty"`
}

func cmdExport(ctx context.Context, e env, args []string) error {
	var all bool
	k, _, err := openFromFlags(ctx, e, "export", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&all, "all", false, "include withdrawn notices (with withdrawn_at)")
	})
	if err != nil {
		return err
	}
	defer k.Close()
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	return k.Store().EachNotice(func(n notice.Notice) error {
		if n.Withdrawn() && !all {
			return nil
		}
		line := exportLine{noticeFields: fieldsOf(n), SDGs: n.SDGs, Sections: n.Sections, Language: n.Language}
		if n.Withdrawn() {
			line.WithdrawnAt = n.WithdrawnAt.UTC().Format("2006-01-02T15:04:05Z")
		}
		return enc.Encode(line)
	})
}

func cmdSearch(ctx context.Context, e env, args []string) error {
	var q notice.Query
	var from, to, sort, facetSize, related string
	var asJSON bool
	q.Filters = map[string][]string{}
	k, _, err := openFromFlags(ctx, e, "search", args, func(fs *flag.FlagSet) {
		for _, f := range notice.FilterFacets {
			fs.Func(f, "only notices with this "+f+" (repeatable: any of them)", func(v string) error {
				q.Filters[f] = append(q.Filters[f], v)
				return nil
			})
		}
		fs.StringVar(&from, "from", "", "earliest `date`: YYYY, YYYY-MM or YYYY-MM-DD")
		fs.StringVar(&to, "to", "", "latest `date`: YYYY, YYYY-MM or YYYY-MM-DD")
		fs.StringVar(&sort, "sort", "", "relevance, newest or oldest")
		fs.IntVar(&q.Size, "size", 10, "hits to show")
		fs.IntVar(&q.Page, "page", 1, "page of hits")
		fs.Func("after", "continue after the hit with this sort key (repeat for each of its strings, from --json)", func(v string) error {
			q.After = append(q.After, v)
			return nil
		})
		fs.StringVar(&facetSize, "facet-size", "", "`N` values per facet, or all (default 10)")
		fs.BoolVar(&q.Months, "months", false, "also count notices per month")
		fs.BoolVar(&q.Verbatim, "verbatim", false, "search the words as typed even when no notice has them (a correction is only suggested)")
		fs.StringVar(&related, "related", "", "instead of searching, list the notices related to the notice with this `ID`")
		fs.BoolVar(&asJSON, "json", false, "print the result as the API's JSON")
	}, func(words []string) error {
		if related != "" && len(words) > 0 {
			return usageError{fmt.Errorf("search: give words to search or --related ID, not both")}
		}
		return queryFromFlags(&q, words, sort, from, to, facetSize)
	})
	if err != nil {
		return err
	}
	defer k.Close()
	if related != "" {
		return printRelated(ctx, e, k, related, q.Size, asJSON)
	}
	// The text lists the hits with their facets, so the counts must be
	// theirs; --json is the API's answer, with its disjunctive counts.
	q.FacetsOfHits = !asJSON
	res, err := k.Index().Search(ctx, q)
	if errors.Is(err, notice.ErrInvalidQuery) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e, res)
	}
	printResult(e, res, q)
	return nil
}

// queryFromFlags completes a query from the search command's words and
// flags, and checks it before any data folder is opened.
func queryFromFlags(q *notice.Query, words []string, sort, from, to, facetSize string) error {
	var err error
	q.Text = strings.Join(words, " ")
	q.Sort = notice.Sort(sort)
	if q.From, err = notice.ParseDateBound(from, false); err != nil {
		return usageError{err}
	}
	if q.To, err = notice.ParseDateBound(to, true); err != nil {
		return usageError{err}
	}
	switch facetSize {
	case "":
	case "all":
		q.FacetTop = notice.FacetAll
	default:
		if q.FacetTop, err = strconv.Atoi(facetSize); err != nil || q.FacetTop < 1 {
			return usageError{fmt.Errorf("search: --facet-size must be a number from 1 or all")}
		}
	}
	probe := *q
	if err := probe.Normalize(); err != nil {
		return usageError{err}
	}
	return nil
}

func printJSON(e env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printRelated(ctx context.Context, e env, k *kb.KB, id string, size int, asJSON bool) error {
	hits, err := k.Index().Related(ctx, id, size)
	if errors.Is(err, notice.ErrInvalidQuery) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e, map[string]any{"id": id, "hits": hits})
	}
	for _, h := range hits {
		printHit(e, h)
	}
	return nil
}

func printResult(e env, res *notice.Result, q notice.Query) {
	fmt.Fprintln(e.stdout, count(int(res.Total), "notice"))
	switch {
	case res.Corrected:
		fmt.Fprintf(e.stdout, "no notices for %q; showing results for: %s (--verbatim searches exactly what was typed)\n", q.Text, res.Suggestion)
	case res.Suggestion != "":
		fmt.Fprintf(e.stdout, "did you mean: %s\n", res.Suggestion)
	}
	if res.Relaxed {
		fmt.Fprintln(e.stdout, "no notice has all of these words; showing notices with some of them")
	}
	months := q.Months
	for _, h := range res.Hits {
		printHit(e, h)
	}
	facets := []string{notice.FacetPartner, notice.FacetTopic, notice.FacetSection, notice.FacetYear}
	if months {
		facets = append(facets, notice.FacetMonth)
	}
	for _, f := range facets {
		var parts []string
		for _, v := range res.Facets[f] {
			if v.Count > 0 {
				parts = append(parts, fmt.Sprintf("%s (%d)", v.Value, v.Count))
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(e.stdout, "\n%s: %s\n", f, strings.Join(parts, ", "))
		}
	}
}

func printHit(e env, h notice.Hit) {
	date := h.Date.String()
	if date == "" {
		date = "(no date)  "
	}
	fmt.Fprintf(e.stdout, "\n%s  %s\n", date, h.Title)
	if len(h.Partners) > 0 || len(h.Topics) > 0 {
		fmt.Fprintf(e.stdout, "            partners: %s · topics: %s\n", strings.Join(h.Partners, ", "), strings.Join(h.Topics, ", "))
	}
	// The id is what --related and /notices/{id} take.
	fmt.Fprintf(e.stdout, "            id %s  %s\n", h.ID, h.URL)
}
