// Package notice holds what noticekb is about: a notice published by an
// organisation, the partners and topics it names, and the search queries and
// results over notices. It imports only the standard library; every other
// package speaks in these types.
package notice

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Notice is one news item or notice published on an organisation's website.
type Notice struct {
	ID    string `json:"id"`
	URL   string `json:"url"`
	Title string `json:"title"`
	Date  Date   `json:"date"`
	// DateSource says where the date was read: "rule", "metadata", "page",
	// "weak-metadata", "url" or "title" from the page's own evidence; the
	// weak fallbacks "search" (a date search of the whole page) and
	// DateFromUpdate (the page's last-update date, for want of any other);
	// "" when there is no date.
	DateSource string   `json:"date_source,omitempty"`
	Body       string   `json:"body"`
	Publisher  string   `json:"publisher"`
	Partners   []string `json:"partners"`
	Topics     []string `json:"topics"`
	SDGs       []string `json:"sdgs,omitempty"`
	// Sections are the site's own sections and tags for the notice (its
	// categories, tags, breadcrumb trail), as the site writes them.
	Sections    []string  `json:"sections,omitempty"`
	Language    string    `json:"language,omitempty"`
	FetchedAt   time.Time `json:"fetched_at,omitzero"`
	WithdrawnAt time.Time `json:"withdrawn_at,omitzero"`
	// WithdrawnByAdmin marks a withdrawal an admin made: re-imports and
	// re-extraction keep such a notice out of search until an admin
	// restores it.
	WithdrawnByAdmin bool `json:"withdrawn_by_admin,omitempty"`
}

// PublicURL is the address a notice's URL gives visitors: the URL itself
// when it is an absolute http(s) URL, else "". A page imported from a file
// without a base URL is known by a file:// URL, which names a path on the
// server: that is the owner's business, not something to publish.
func PublicURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok || rest == "" || strings.HasPrefix(rest, "/") {
		return ""
	}
	switch strings.ToLower(scheme) {
	case "http", "https":
		return u
	}
	return ""
}

// DateFromUpdate is the DateSource of a notice dated by its page's "last
// updated" date because the page gives no other: a weak date an admin may
// want to review.
const DateFromUpdate = "updated"

// WeakDate reports whether the notice's date is its page's update date.
func (n Notice) WeakDate() bool { return n.DateSource == DateFromUpdate }

// Withdrawn reports whether the notice is out of search: taken off its
// site, or withdrawn by an admin.
func (n Notice) Withdrawn() bool { return !n.WithdrawnAt.IsZero() }

// IDForURL derives a notice's stable ID from its canonical URL, so the same
// page keeps its ID across re-imports and the ID is safe in a URL path.
func IDForURL(canonicalURL string) string {
	sum := sha256.Sum256([]byte(canonicalURL))
	return hex.EncodeToString(sum[:8])
}

// Partner is an organisation named in notices, known under several names.
type Partner struct {
	// Name is the value shown in facets and stored on notices: the acronym
	// when the organisation has one, otherwise its full name.
	Name     string   `json:"name"`
	FullName string   `json:"full_name,omitempty"`
	Aliases  []string `json:"aliases,omitempty"`
}

// Label is how a partner is written for people: "Full Name (ACR)".
func (p Partner) Label() string {
	if p.FullName == "" || p.FullName == p.Name {
		return p.Name
	}
	return p.FullName + " (" + p.Name + ")"
}

// Topic is one cooperation topic (or SDG) of a taxonomy.
type Topic struct {
	ID       string   `json:"id"`
	Label    string   `json:"label"`
	Keywords []string `json:"keywords"`
}
