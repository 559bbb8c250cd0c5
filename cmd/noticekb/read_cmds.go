package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"noticekb/internal/notice"
)

// exportLine is one line of `noticekb export`.
type exportLine struct {
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	Title       string   `json:"title"`
	Date        string   `json:"date"`
	Body        string   `json:"body"`
	Publisher   string   `json:"publisher"`
	Partners    []string `json:"partners"`
	Topics      []string `json:"topics"`
	SDGs        []string `json:"sdgs,omitempty"`
	Language    string   `json:"language,omitempty"`
	WithdrawnAt string   `json:"withdrawn_at,omitempty"`
}

func cmdExport(ctx context.Context, e env, args []string) error {
	var all bool
	a, _, err := openFromFlags(ctx, e, "export", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&all, "all", false, "include withdrawn notices (with withdrawn_at)")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	return a.store.EachNotice(func(n notice.Notice) error {
		if n.Withdrawn() && !all {
			return nil
		}
		line := exportLine{ID: n.ID, URL: n.URL, Title: n.Title, Date: n.Date.String(), Body: n.Body,
			Publisher: n.Publisher, Partners: n.Partners, Topics: n.Topics, SDGs: n.SDGs, Language: n.Language}
		if n.Withdrawn() {
			line.WithdrawnAt = n.WithdrawnAt.UTC().Format("2006-01-02T15:04:05Z")
		}
		return enc.Encode(line)
	})
}

func cmdSearch(ctx context.Context, e env, args []string) error {
	var q notice.Query
	var from, to, sort string
	var asJSON bool
	q.Filters = map[string][]string{}
	a, fs, err := openFromFlags(ctx, e, "search", args, func(fs *flag.FlagSet) {
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
		fs.BoolVar(&asJSON, "json", false, "print the result as the API's JSON")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	q.Text = strings.Join(fs.Args(), " ")
	q.Sort = notice.Sort(sort)
	if q.From, err = notice.ParseDateBound(from, false); err != nil {
		return usageError{err}
	}
	if q.To, err = notice.ParseDateBound(to, true); err != nil {
		return usageError{err}
	}
	res, err := a.index.Search(ctx, q)
	if errors.Is(err, notice.ErrInvalidQuery) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printResult(e, res)
	return nil
}

func printResult(e env, res *notice.Result) {
	fmt.Fprintf(e.stdout, "%d notices\n", res.Total)
	if res.Suggestion != "" {
		fmt.Fprintf(e.stdout, "did you mean: %s\n", res.Suggestion)
	}
	for _, h := range res.Hits {
		date := h.Date.String()
		if date == "" {
			date = "(no date)  "
		}
		fmt.Fprintf(e.stdout, "\n%s  %s\n", date, h.Title)
		if len(h.Partners) > 0 || len(h.Topics) > 0 {
			fmt.Fprintf(e.stdout, "            partners: %s · topics: %s\n", strings.Join(h.Partners, ", "), strings.Join(h.Topics, ", "))
		}
		fmt.Fprintf(e.stdout, "            %s\n", h.URL)
	}
	for _, f := range []string{notice.FacetPartner, notice.FacetTopic, notice.FacetYear} {
		var parts []string
		for _, v := range res.Facets[f] {
			if v.Count > 0 || v.Selected {
				parts = append(parts, fmt.Sprintf("%s (%d)", v.Value, v.Count))
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(e.stdout, "\n%s: %s\n", f, strings.Join(parts, ", "))
		}
	}
}
