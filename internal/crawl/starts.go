package crawl

import (
	"fmt"

	"github.com/noticekb/noticekb/internal/urlnorm"
)

// Unread is a start URL whose page the last run could not read.
type Unread struct {
	URL    string
	Reason string // why: "HTTP 404", "robots.txt unavailable (…): site not crawled", …
}

// Unread lists the start URLs of the last run whose page could not be
// read (after the redirects they led to), with why. A crawl whose start
// page is missing did not do what was asked, even when the site's
// sitemap or stored pages gave it something else to read.
func (c *Crawler) Unread(starts []string) []Unread {
	var out []Unread
	for _, s := range starts {
		u, err := urlnorm.Normalize(s)
		if err != nil {
			out = append(out, Unread{URL: s, Reason: err.Error()})
			continue
		}
		if why := c.whyUnread(u); why != "" {
			out = append(out, Unread{URL: s, Reason: why})
		}
	}
	return out
}

// whyUnread follows a URL's redirects through the last run and says why
// no page came of it, or "" when one did.
func (c *Crawler) whyUnread(u string) string {
	via := ""
	for hop := 0; hop <= 10; hop++ {
		st := c.lastSeen[u]
		switch {
		case st == nil:
			return "not fetched" + via
		case st.read:
			return ""
		case st.failure != "":
			return st.failure + via
		case st.redirect != "":
			via = fmt.Sprintf(" (redirected to %s)", st.redirect)
			u = st.redirect
			continue
		}
		return "not fetched (the crawl stopped first)" + via
	}
	return "more than 10 redirects"
}

// noteVisit records what came of a URL's request, for Unread.
func (st *urlState) noteVisit(v visit) {
	switch v.result {
	case "read", "unchanged":
		st.read = true
	case "redirect":
		st.redirect = v.redirect
	case "gone":
		st.failure = fmt.Sprintf("HTTP %d", v.status)
	case "skipped":
		st.failure = "not an HTML page"
	case "failed", "cancelled":
		st.failure = v.reason
		if st.failure == "" {
			st.failure = v.result
		}
	}
}

// refusal says why robots.txt keeps a URL from being fetched.
func (r *robotsRules) refusal() string {
	if r.deny {
		return r.why
	}
	return "disallowed by robots.txt"
}
