// Package verdict decides what a page is — a notice (a single dated
// article), a list of notices, or something else — by weighing evidence
// together rather than trusting any one signal: what the page shows of
// itself (its markup, a date by its heading, its text and links, its URL),
// read by the extractor into a Page, and what its site tells of it (a
// list's link to it, the other pages built from the same template), known
// to a crawl. Judge makes every such decision: `noticekb extract` calls it
// with a page's own evidence, a crawl with what it has learned of the
// site, so both reach the same verdict on the same knowledge. Each piece
// of evidence carries a weight, so a verdict can be explained to an admin.
//
// The package imports only the standard library.
package verdict

import (
	"fmt"
	"strings"
)

// Kind says what a page is. The order is the extractor's.
type Kind int

const (
	Other  Kind = iota // neither a notice nor a list of notices
	Notice             // one notice
	List               // a list of notices (a board, an archive, a tag page)
)

func (k Kind) String() string {
	switch k {
	case Notice:
		return "notice"
	case List:
		return "list"
	}
	return "other"
}

// RuleSays is what a site's rule says of a page.
type RuleSays string

const (
	// RuleLayout: a layout rule's body selector matched the page.
	RuleLayout RuleSays = "layout"
	// RuleNoticeURL: the site's notice_url pattern matches the page's URL.
	RuleNoticeURL RuleSays = "notice-url"
	// RuleOtherURL: the site has a notice_url pattern and the URL does
	// not match it.
	RuleOtherURL RuleSays = "other-url"
)

// Page is what a page shows of itself, as the extractor read it. It is
// plain data, kept with a stored page so a crawl can judge the page again
// without reading it again.
type Page struct {
	URL string `json:"url,omitempty"`
	// Title tells that the page has a title; Words and Enough measure its
	// main text (Enough: an article's length, whatever the script).
	Title  bool `json:"title,omitempty"`
	Words  int  `json:"words,omitempty"`
	Enough bool `json:"enough,omitempty"`
	// LinkShare is the share of the main text that is text of content links.
	LinkShare float64  `json:"link_share,omitempty"`
	Rule      RuleSays `json:"rule,omitempty"`
	// Article markup: JSON-LD of an article type, microdata or RDFa of
	// one around the main heading, og:type article, an <article> element
	// holding the main heading.
	ArticleLD        bool `json:"article_ld,omitempty"`
	ArticleMicrodata bool `json:"article_microdata,omitempty"`
	OGArticle        bool `json:"og_article,omitempty"`
	ArticleElement   bool `json:"article_element,omitempty"`
	// DateSource is where the extractor read the date ("" for none).
	DateSource string `json:"date_source,omitempty"`
	// DateByHeading: a date is shown next to the main heading (a byline),
	// not under another item's heading.
	DateByHeading bool `json:"date_by_heading,omitempty"`
	// Teasers counts headings in the content that link to other pages of
	// the site (a list's entries); TeasersFirst tells that the first
	// comes before the page has any text of its own.
	Teasers      int  `json:"teasers,omitempty"`
	TeasersFirst bool `json:"teasers_first,omitempty"`
	// Items counts a list's links to its entries (links of one shape with
	// titles for text), DatedItems those shown with a date; Pager tells
	// that the page links to other pages of itself by number.
	Items      int  `json:"items,omitempty"`
	DatedItems int  `json:"dated_items,omitempty"`
	Pager      bool `json:"pager,omitempty"`
	// ItemsFirst tells that the item links start before the page has text
	// of its own; after it, they are "related articles".
	ItemsFirst bool `json:"items_first,omitempty"`
	// Skeleton names the page's template by its markup: the tags and
	// classes around its main heading.
	Skeleton string `json:"skeleton,omitempty"`
}

// Listing is what the site's lists say of a page.
type Listing int

const (
	Unlisted Listing = iota
	// Linked: a list links to the page with a title for text, outside
	// the group of its entries.
	Linked
	// Item: a list links to the page as one of its entries.
	Item
	// DatedItem: a list whose entries show dates links to the page as one
	// of them.
	DatedItem
)

func (l Listing) String() string {
	return [...]string{"unlisted", "linked", "item", "dated-item"}[l]
}

// Site is what is known of a page beyond the page itself.
type Site struct {
	Listing Listing
	// Chosen: a person chose the file (an import), which vouches for it.
	Chosen bool
	// Template is what the other pages of the page's template are;
	// Pattern, the other pages of its URL pattern outside its template.
	Template, Pattern Template
	// Lists tells how the site's other notices are listed.
	Lists SiteLists
}

// SiteLists counts a site's notices and those of them a list has as
// entries: a site whose lists hold all its notices makes a page no list
// holds unlikely to be one.
type SiteLists struct {
	Notices, Listed int
}

// Template sums up the other pages built from a page's template (URL
// pattern and skeleton): how many there are and how many of them are
// notices on their own evidence.
type Template struct {
	Key     string
	Pages   int
	Notices int
}

// Evidence is one reason for a verdict, with its weight: positive for a
// notice, negative against.
type Evidence struct {
	Name   string  `json:"name"`
	Weight float64 `json:"weight"`
	Detail string  `json:"detail,omitempty"`
}

// Verdict is what a page is, and why.
type Verdict struct {
	Kind     Kind       `json:"kind"`
	Score    float64    `json:"score"`
	Evidence []Evidence `json:"evidence"`
}

// Explain writes a verdict as lines an admin can read: the kind and
// score, then each piece of evidence with its weight.
func (v Verdict) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (score %+.1f; a notice needs more than %+.1f)\n", v.Kind, v.Score, threshold)
	for _, e := range v.Evidence {
		fmt.Fprintf(&b, "  %+5.1f  %s", e.Weight, e.Name)
		if e.Detail != "" {
			b.WriteString(": " + e.Detail)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
