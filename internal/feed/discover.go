package feed

import (
	"bytes"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// feedTypes are the link types that advertise a feed.
var feedTypes = map[string]bool{"application/rss+xml": true, "application/atom+xml": true}

// Discover returns the feeds a page advertises with
// <link rel="alternate" type="application/rss+xml|application/atom+xml">,
// as absolute URLs (resolved against the page's <base> or base), without
// repeats; feeds of comments come last, since they list no notices.
func Discover(page []byte, base string) []string {
	baseURL, err := url.Parse(base)
	if err != nil {
		return nil
	}
	var found, comments []string
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr {
			continue
		}
		attrs := attributes(z)
		switch string(name) {
		case "base":
			if u, err := baseURL.Parse(attrs["href"]); err == nil && attrs["href"] != "" {
				baseURL = u
			}
		case "link":
			rel := strings.Fields(strings.ToLower(attrs["rel"]))
			typ := strings.ToLower(strings.TrimSpace(strings.Split(attrs["type"], ";")[0]))
			if !slices.Contains(rel, "alternate") || !feedTypes[typ] || strings.TrimSpace(attrs["href"]) == "" {
				continue
			}
			u, err := baseURL.Parse(strings.TrimSpace(attrs["href"]))
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				continue
			}
			u.Fragment = ""
			if isComments(attrs["title"], u.Path) {
				comments = append(comments, u.String())
			} else {
				found = append(found, u.String())
			}
		}
	}
	var out []string
	for _, u := range append(found, comments...) {
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

func attributes(z *html.Tokenizer) map[string]string {
	out := map[string]string{}
	for {
		k, v, more := z.TagAttr()
		out[string(k)] = string(v)
		if !more {
			return out
		}
	}
}

// isComments recognises a feed of comments by its title or path, as
// WordPress and other CMSs name them.
func isComments(title, path string) bool {
	t, p := strings.ToLower(title), strings.ToLower(path)
	return strings.Contains(t, "comment") || strings.Contains(p, "comment")
}
