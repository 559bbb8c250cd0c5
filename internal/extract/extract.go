// Package extract turns the bytes of a web page into a notice: title,
// publication date, clean body text, publisher, partners, topics and
// language, plus the page's links for the crawler. Extraction is a pure
// function of the page and the extractor's knowledge (rules, taxonomy,
// gazetteer); only the crawler touches the network.
package extract

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/partner"
	"github.com/noticekb/noticekb/internal/pubdate"
	"github.com/noticekb/noticekb/internal/topic"
	"github.com/noticekb/noticekb/internal/verdict"
)

// Page is one fetched or imported web page.
type Page struct {
	// URL is where the page came from, after redirects. It may be empty for
	// a local file with no known address; then relative links stay unresolved
	// and no host rule applies.
	URL  string
	Body []byte
	// ContentType is the HTTP Content-Type header, if there was one; it may
	// name the charset.
	ContentType string
}

// Result is what extraction found in a page.
type Result struct {
	// Notice has no ID and no fetch time: the caller knows the canonical URL.
	Notice notice.Notice
	Kind   Kind
	// Canonical is the page's declared canonical URL, absolute, or "".
	Canonical string
	Links     []Link
	// Learned are organisations the page defined that were not known before.
	Learned []notice.Partner
	// Rule names the rule applied, or "" for the generic extractor.
	Rule string
	// Page is what the page shows of itself, the evidence a crawl judges
	// again with what it knows of the site; Verdict is the judgement on
	// that evidence alone, and Kind its kind.
	Page    verdict.Page
	Verdict verdict.Verdict
	// DateSource says where the date was read (as Notice.DateSource), for
	// diagnosis and for the crawler's judgement.
	DateSource string
}

// Extractor extracts notices. Its knowledge can be replaced while it runs
// (an admin reloads the rules or the taxonomy); each extraction uses one
// consistent snapshot. It is safe for concurrent use.
type Extractor struct {
	rules    atomic.Pointer[Rules]
	topics   atomic.Pointer[topic.Classifier]
	partners atomic.Pointer[partner.Resolver]
	now      func() time.Time
}

// Options configure an Extractor; zero fields take the shipped defaults.
type Options struct {
	Rules    *Rules
	Taxonomy *topic.Taxonomy
	Partners *partner.Resolver
	// Now is the clock for rejecting future dates.
	Now func() time.Time
}

// New returns an extractor.
func New(opts Options) *Extractor {
	x := &Extractor{now: opts.Now}
	if x.now == nil {
		x.now = time.Now
	}
	if opts.Rules == nil {
		opts.Rules = BuiltinRules()
	}
	if opts.Taxonomy == nil {
		t := topic.DefaultTaxonomy()
		opts.Taxonomy = &t
	}
	if opts.Partners == nil {
		opts.Partners = partner.NewResolver(partner.DefaultGazetteer())
	}
	x.SetRules(opts.Rules)
	// Taxonomies come validated from LoadTaxonomy, ParseTaxonomy or the
	// shipped file; one built in code that is invalid still classifies,
	// with its faulty entries matching nothing.
	x.topics.Store(topic.NewClassifier(*opts.Taxonomy))
	x.partners.Store(opts.Partners)
	return x
}

// SetRules replaces the rules for later extractions.
func (x *Extractor) SetRules(r *Rules) { x.rules.Store(r) }

// SetTaxonomy validates a taxonomy and, if it is valid, uses it for later
// extractions; extractions under way finish with the one they started with.
// An invalid taxonomy is refused with an error naming the faulty entry, and
// the one in use stays.
func (x *Extractor) SetTaxonomy(t topic.Taxonomy) error {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	x.topics.Store(topic.NewClassifier(t))
	return nil
}

// ReloadTaxonomy reads a taxonomy file and uses it, as SetTaxonomy does.
func (x *Extractor) ReloadTaxonomy(path string) error {
	t, err := topic.LoadTaxonomy(path)
	if err != nil {
		return err
	}
	return x.SetTaxonomy(t)
}

// ReloadRules reads a rules file (the built-in layouts follow its rules)
// and uses it for later extractions; an invalid file leaves the rules in
// use as they are.
func (x *Extractor) ReloadRules(path string) error {
	r, err := LoadRules(path)
	if err != nil {
		return err
	}
	x.SetRules(r)
	return nil
}

// SetPartners replaces the partner resolver (a gazetteer reloaded by an
// admin) for later extractions.
func (x *Extractor) SetPartners(r *partner.Resolver) { x.partners.Store(r) }

// Rules returns the rules in use.
func (x *Extractor) Rules() *Rules { return x.rules.Load() }

// Classifier returns the topic classifier in use.
func (x *Extractor) Classifier() *topic.Classifier { return x.topics.Load() }

// Partners returns the partner resolver in use.
func (x *Extractor) Partners() *partner.Resolver { return x.partners.Load() }

// page is one extraction in progress: the parsed page and what is known.
type page struct {
	x   *Extractor
	url *url.URL // the page's URL, or its <base> for resolving links
	// address is the URL the page was published at (not its <base>).
	address *url.URL
	doc     *goquery.Document
	root    *html.Node
	meta    metadata
	rule    *Rule
	// noticeURL is the site's notice URL pattern from the rules, if any.
	noticeURL *regexp.Regexp
	title     string
	// titleNode is the element the title was read from, if any;
	// headingNode is the page's main heading.
	titleNode, headingNode *html.Node
	body                   string
	// bodyNode is the element the body was read from, when a rule gave it.
	bodyNode *html.Node
	rendered *pageText
	dates    []pubdate.Match // the page text's dates, found on first use
	shown    []shownDate     // the dates shown on the page, scored on first use
	dc       *dateContext    // how the page's dates are read, settled on first use
	// dateDecided is set when a layout rule settled the date, or settled
	// that the page shows none: no fallback then.
	dateDecided bool
	linkText    map[string]bool // the texts of the page's links, on first use
	entries     teaserSet       // headings linking to other pages: a list's entries
	// linkNodes are the elements of the page's links, in their order.
	linkNodes []*html.Node
}

// text is the page's visible text, rendered on first use.
func (pg *page) text() *pageText {
	if pg.rendered == nil {
		pg.rendered = renderPage(pg.root)
	}
	return pg.rendered
}

// bodyStart is the offset in the page text where the notice body starts,
// or -1 when it cannot be placed.
func (pg *page) bodyStart() int {
	pt := pg.text()
	if pg.bodyNode != nil {
		if s, ok := pt.spanOf(pg.bodyNode); ok {
			return s.start
		}
	}
	return indexOfLine(pt.text, pg.body)
}

// titleSpan is where the title stands in the page text: the span of the
// element it was read from, else the occurrence of the title text nearest
// before the body.
func (pg *page) titleSpan() (blockSpan, bool) {
	pt := pg.text()
	if pg.titleNode != nil {
		if s, ok := pt.spanOf(pg.titleNode); ok {
			return s, true
		}
	}
	if len(pg.title) < 8 {
		return blockSpan{}, false
	}
	at := -1
	if b := pg.bodyStart(); b > 0 {
		at = strings.LastIndex(pt.text[:b], pg.title)
	}
	if at < 0 {
		at = strings.Index(pt.text, pg.title)
	}
	if at >= 0 {
		return blockSpan{at, at + len(pg.title)}, true
	}
	// A title taken from metadata that the page does not show as such:
	// the page's main heading stands where the title would.
	if pg.headingNode != nil {
		return pt.spanOf(pg.headingNode)
	}
	return blockSpan{}, false
}

// indexOfLine finds where text starts in page: the first of its first
// lines whose opening words the page shows as they are.
func indexOfLine(page, text string) int {
	lines := strings.SplitN(strings.TrimSpace(text), "\n", 4)
	for i, line := range lines {
		line = strings.Join(strings.Fields(line), " ")
		if len(line) > 40 {
			cut := 40
			for cut < len(line) && !utf8.RuneStart(line[cut]) {
				cut++
			}
			line = line[:cut]
		}
		if len(line) < 12 {
			continue
		}
		if at := strings.Index(page, line); at >= 0 {
			if i > 0 {
				// Earlier lines were not found as they are; start a little before.
				at = max(0, at-len(strings.Join(lines[:i], " ")))
			}
			return at
		}
	}
	return -1
}

// Extract reads one page. It returns an error wrapping notice.ErrNotHTML or
// notice.ErrNoContent for pages that are not HTML or are empty; any other
// HTML page yields a Result, whose Kind says whether it is a notice.
func (x *Extractor) Extract(p Page) (res *Result, err error) {
	defer func() {
		// A parser or library bug on hostile input must cost one page, not the run.
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("extract: internal error on this page: %v", r)
		}
	}()
	root, err := decode(p.Body, p.ContentType)
	if err != nil {
		return nil, err
	}
	pg := &page{x: x, root: root, doc: goquery.NewDocumentFromNode(root), meta: readMetadata(root)}
	pg.url = pageURL(p.URL, pg.meta.base)
	pg.address = pageURL(p.URL, "")
	rules := x.rules.Load()
	pg.rule = rules.match(pg.host(), root)
	pg.noticeURL = rules.noticeURL(pg.host())
	return pg.extract(), nil
}

func (pg *page) extract() *Result {
	res := &Result{}
	if pg.rule != nil {
		res.Rule = pg.rule.Name
	}
	// The body is found first, as the title is often the prominent line
	// above it; cleaning it then drops a repeated title.
	pg.body, pg.bodyNode = pg.rawBody()
	pg.title, pg.titleNode = pg.findTitle()
	pg.body = cleanBody(pg.body, pg.title, pg.linkTexts(), pg.footerTexts())
	date, dateSource := pg.findDate()
	publisher := pg.findPublisher()

	n := &res.Notice
	n.URL, n.Title, n.Body, n.Date, n.Publisher = pg.urlString(), pg.title, pg.body, date, publisher.Name
	res.Learned = pg.tag(n, publisher)
	n.Sections = pg.sections(n.Title)
	n.Language = language(n.Title+" "+n.Body, pg.meta.lang)

	res.Canonical = pg.resolve(pg.meta.canonical)
	heading := pg.mainHeadingNode()
	pg.entries = pg.teasers(heading)
	res.Links = pg.links()
	pg.readEntries(heading, res.Links)
	res.Page, res.Verdict = pg.judge(res, dateSource)
	res.Kind = res.Verdict.Kind
	if n.Date.IsZero() && !pg.dateDecided {
		// The fallback's date comes after the verdict, as it is no
		// evidence of a notice; a page judged a list gets it too, as a
		// crawl may learn that the site links to it as one of its
		// notices (and `extract` dates every page it is given).
		n.Date, dateSource = pg.fallbackDate(n.Language)
	}
	n.DateSource, res.DateSource = dateSource, dateSource
	n.Title, n.Body, n.Publisher = withoutControls(n.Title), withoutControls(n.Body), withoutControls(n.Publisher)
	return res
}

// withoutControls drops control characters (C0 but tab and line feed,
// DEL, C1) that a page's text may carry raw: invisible to readers, and
// invalid in the XML of the feeds.
func withoutControls(s string) string {
	if !strings.ContainsFunc(s, isStrayControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isStrayControl(r) {
			return -1
		}
		return r
	}, s)
}

func isStrayControl(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t'
}

// tag names the notice's partners (never its publisher) and its topics
// and SDGs, and returns the organisations its text defined for the first
// time. Words inside organisation names are not topic evidence: "Division
// for Public Institutions and Digital Government", "GovTech" the agency.
func (pg *page) tag(n *notice.Notice, publisher notice.Partner) []notice.Partner {
	text := n.Title + "\n\n" + n.Body
	found := pg.x.partners.Load().Find(text, publisher.Name, publisher.FullName)
	n.Partners = make([]string, 0, len(found.Partners))
	for _, p := range found.Partners {
		n.Partners = append(n.Partners, p.Name)
	}
	text = maskSpans(text, found.Mentions)
	n.Topics, n.SDGs = pg.x.topics.Load().Classify(text[:len(n.Title)], text[len(n.Title)+2:])
	if n.Topics == nil {
		n.Topics = []string{}
	}
	return found.Learned
}

func pageURL(raw, base string) *url.URL {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		u = nil
	}
	if base != "" {
		if b, err := url.Parse(base); err == nil {
			if u != nil {
				return u.ResolveReference(b)
			}
			if b.IsAbs() {
				return b
			}
		}
	}
	return u
}

func (pg *page) host() string {
	if pg.url == nil {
		return ""
	}
	return pg.url.Hostname()
}

func (pg *page) urlString() string {
	if pg.url == nil {
		return ""
	}
	return pg.url.String()
}

// resolve makes a link absolute against the page's URL. Without a page URL
// only absolute links survive.
func (pg *page) resolve(href string) string {
	href = strings.TrimSpace(href)
	if href == "" {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	if pg.url != nil {
		u = pg.url.ResolveReference(u)
	}
	if !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	u.Fragment = ""
	return u.String()
}

// maskSpans blanks the given byte spans of text, keeping every offset.
func maskSpans(text string, spans [][2]int) string {
	if len(spans) == 0 {
		return text
	}
	b := []byte(text)
	for _, sp := range spans {
		for i := sp[0]; i < sp[1] && i < len(b); i++ {
			b[i] = ' '
		}
	}
	return string(b)
}
