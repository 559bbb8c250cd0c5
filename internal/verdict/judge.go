package verdict

import "fmt"

// threshold is the score a notice's evidence must exceed.
const threshold = 0.0

// Weights of the evidence. A page starts below the threshold (prior): it
// takes a date by its heading, article markup, or a list's link plus some
// date to make a notice. Strong signs of a list or of another kind of page
// (entries before any text of its own, an archive's or a tag's address)
// outweigh a date, which such pages show too.
const (
	wPrior     = -1.5
	wNoTitle   = -10
	wShortText = -4
	// A layout rule finds a CMS's content region, which its static pages
	// have as much as its posts: it counts as markup does.
	wLayoutRule     = 2
	wStaticPage     = -4.5
	wPost           = 1
	wURLRule        = 20
	wArticleLD      = 2
	wMicrodata      = 2
	wOGArticle      = 1
	wArticleElement = 1
	maxMarkup       = 3
	wDateByHeading  = 3
	wDateMetadata   = 1.5
	wDateElsewhere  = 2
	wDateWeak       = 0.5
	wTeasersFirst   = -6
	wSomeTeasers    = -0.5
	wItems          = -3
	wUndatedItems   = -1.5
	wPager          = -2
	wArticlePages   = -0.5
	wLinkShare      = -3
	wListAddress    = -4
	wHomeAddress    = -2
	wDatedSlug      = 1
	wArticleSlug    = 0.5
	wListedDated    = 2.5
	wListedItem     = 2
	wLinked         = 0.5
	wChosen         = 2.5
	wNoticeTemplate = 2
	wOtherTemplate  = -3
	wOtherPattern   = -2
	wUnlisted       = -2
)

const (
	minItems        = 5   // a list's entry links, without a pager
	minPagedItems   = 2   // the same on a page with a pager
	manyTeasers     = 3   // linked headings that weigh against a page even after its text
	maxLinkShare    = 0.5 // the share of text in links of an index of links
	minTemplate     = 3   // other pages of a template before it counts
	minPattern      = 5   // other pages of a URL pattern before it counts
	minSiteNotices  = 10  // notices of a site before how it lists them counts
	listedShare     = 0.9 // the share of them listed that makes a site list its notices
	noticeTemplate  = 0.8 // the share of notices that makes a notice template
	otherTemplate   = 0.2 // the share at or below which a template is not one
	minArticleSlugs = 4   // words in the last path segment of an article's slug
)

// Judge weighs a page's evidence with what is known of its site.
func Judge(p Page, s Site) Verdict {
	if p.Rule == RuleNoticeURL || p.Rule == RuleOtherURL {
		return byURLRule(p)
	}
	j := judging{}
	j.add("prior", wPrior, "a page is not a notice until its evidence says so")
	j.page(p)
	j.site(s)
	return j.verdict(p)
}

// byURLRule is an admin's word: the site's notice_url pattern decides
// which pages are notices; a page still needs a title and text.
func byURLRule(p Page) Verdict {
	j := judging{}
	if p.Rule == RuleOtherURL {
		j.add("site rule", -wURLRule, "the URL does not match the site's notice_url")
		if p.Items > 0 {
			return Verdict{Kind: List, Score: j.score, Evidence: j.evidence}
		}
		return Verdict{Kind: Other, Score: j.score, Evidence: j.evidence}
	}
	if !p.Title || !p.Enough {
		// The rule names notices' addresses; a notice still has a title and text.
		j.add("site rule", 0, "the URL matches the site's notice_url")
		j.text(p)
		return Verdict{Kind: Other, Score: j.score, Evidence: j.evidence}
	}
	j.add("site rule", wURLRule, "the URL matches the site's notice_url")
	return Verdict{Kind: Notice, Score: j.score, Evidence: j.evidence}
}

// judging sums evidence as it is found.
type judging struct {
	score    float64
	evidence []Evidence
}

func (j *judging) add(name string, w float64, detail string) {
	j.score += w
	j.evidence = append(j.evidence, Evidence{Name: name, Weight: w, Detail: detail})
}

func (j *judging) page(p Page) {
	j.text(p)
	if p.Rule == RuleLayout {
		j.add("layout rule", wLayoutRule, "a layout rule's body selector matched")
	}
	switch p.ContentType {
	case ContentStatic:
		j.add("static page", wStaticPage, "the site's CMS marks it a page (about, services, a department), not a post")
	case ContentPost:
		j.add("post", wPost, "the site's CMS marks it a post")
	}
	j.markup(p)
	j.date(p)
	j.listShape(p)
	j.address(p.URL)
}

func (j *judging) text(p Page) {
	if !p.Title {
		j.add("no title", wNoTitle, "")
	}
	if !p.Enough {
		j.add("short text", wShortText, fmt.Sprintf("%d words, less than an article", p.Words))
	}
}

// markup weighs article markup; themes put some of it on every page, so
// together it counts for at most maxMarkup.
func (j *judging) markup(p Page) {
	var w float64
	var names []string
	for _, m := range []struct {
		on   bool
		w    float64
		name string
	}{
		{p.ArticleLD, wArticleLD, "JSON-LD article"},
		{p.ArticleMicrodata, wMicrodata, "article microdata around the heading"},
		{p.OGArticle, wOGArticle, "og:type article"},
		{p.ArticleElement, wArticleElement, "<article> holds the heading"},
	} {
		if m.on {
			w += m.w
			names = append(names, m.name)
		}
	}
	if w == 0 {
		return
	}
	j.add("article markup", min(w, maxMarkup), joinNames(names))
}

func (j *judging) date(p Page) {
	switch {
	case p.DateByHeading:
		j.add("date by the heading", wDateByHeading, "a date shown next to the main heading (source: "+orNone(p.DateSource)+")")
	case p.DateSource == "rule":
		j.add("date by rule", wDateByHeading, "the site rule's date field")
	case p.DateSource == "metadata":
		j.add("date in metadata", wDateMetadata, "a publication date in metadata, none shown by the heading")
	case p.DateSource == "page":
		j.add("date on the page", wDateElsewhere, "a date shown on the page, away from the heading")
	case p.DateSource == "weak-metadata":
		j.add("weak date", wDateWeak, "a date in metadata of a vaguer name")
	default:
		j.add("no date", 0, "none shown or declared (URL and title dates do not count)")
	}
}

// listShape weighs what a list looks like: entries (linked headings) before
// any text of the page's own, many links of one shape, a pager, a text
// made of link texts.
func (j *judging) listShape(p Page) {
	listLinks := p.Items >= minItems || p.Pager && p.Items >= minPagedItems
	// An article that says so with a byline or its structured data keeps
	// its "recent news" or "related posts" for what they are.
	ownArticle := p.DateByHeading || p.ArticleLD || p.ArticleMicrodata
	switch {
	case p.TeasersFirst:
		j.add("entries of a list", wTeasersFirst, fmt.Sprintf("%d headings linking to other pages, before any text of its own", p.Teasers))
	case (listLinks || p.Teasers >= manyTeasers) && (ownArticle || !p.ItemsFirst):
		j.add("entries after the text", wSomeTeasers, fmt.Sprintf("%d links and %d headings to other entries, after the page's own byline, markup or text", p.Items, p.Teasers))
	case listLinks && 2*p.DatedItems >= p.Items:
		j.add("list links", wItems, fmt.Sprintf("%d links of one shape with titles for text, %d shown with dates", p.Items, p.DatedItems))
	case listLinks:
		j.add("undated list links", wUndatedItems, fmt.Sprintf("%d links of one shape with titles for text, %d shown with dates", p.Items, p.DatedItems))
	}
	switch {
	case p.Pager && ownArticle:
		j.add("pagination", wArticlePages, "an article in pages, or its comments")
	case p.Pager:
		j.add("pagination", wPager, "links to other pages of it by number")
	}
	if p.LinkShare >= maxLinkShare {
		j.add("text of links", wLinkShare, fmt.Sprintf("%.0f%% of the text is link text", 100*p.LinkShare))
	}
}

func (j *judging) address(raw string) {
	a := ReadURL(raw)
	switch {
	case a.Home:
		j.add("home address", wHomeAddress, "the site's or a language's home page")
	case a.Archive:
		j.add("archive address", wListAddress, "the URL ends in a year, month or day")
	case a.Paged:
		j.add("pagination address", wListAddress, "the URL names a page number")
	case a.Taxonomy != "":
		j.add("list address", wListAddress, "the URL is a "+a.Taxonomy+" page")
	case a.DatedSlug:
		j.add("dated address", wDatedSlug, "a date then a slug in the URL")
	}
	if !a.Home && !a.Archive && !a.Paged && a.Taxonomy == "" && a.SlugWords >= minArticleSlugs {
		j.add("article slug", wArticleSlug, fmt.Sprintf("%d words in the last path segment", a.SlugWords))
	}
}

func (j *judging) site(s Site) {
	switch s.Listing {
	case DatedItem:
		j.add("listed with a date", wListedDated, "a list whose entries show dates has it as an entry")
	case Item:
		j.add("listed", wListedItem, "a list has it as one of its entries")
	case Linked:
		j.add("linked from a list", wLinked, "a list links to it with a title, outside its entries")
	}
	if s.Chosen {
		j.add("chosen file", wChosen, "a person chose the file to import")
	}
	j.template(s)
	l := s.Lists
	if s.Listing < Item && l.Notices >= minSiteNotices && float64(l.Listed) >= listedShare*float64(l.Notices) {
		j.add("unlisted", wUnlisted, fmt.Sprintf("no list has it as an entry, while lists have %d of the site's %d other notices", l.Listed, l.Notices))
	}
}

// template weighs what the other pages of the page's template are: a
// template of notices lends its weight, one of other pages takes it away.
// Without enough of them, the other pages of its URL pattern can only
// take it away: a pattern such as /{slug}/ holds posts and pages alike.
func (j *judging) template(s Site) {
	t, p := s.Template, s.Pattern
	switch {
	case t.Pages >= minTemplate && t.Notices >= int(noticeTemplate*float64(t.Pages)+0.999):
		j.add("notice template", wNoticeTemplate, fmt.Sprintf("%d of the %d other pages of its template are notices", t.Notices, t.Pages))
	case t.Pages >= minTemplate && t.Notices <= int(otherTemplate*float64(t.Pages)):
		j.add("template of other pages", wOtherTemplate, fmt.Sprintf("%d of the %d other pages of its template are notices", t.Notices, t.Pages))
	case t.Pages < minTemplate && p.Pages >= minPattern && t.Notices+p.Notices <= int(otherTemplate*float64(t.Pages+p.Pages)):
		j.add("URL pattern of other pages", wOtherPattern, fmt.Sprintf("%d of the %d other pages at its URL pattern are notices", t.Notices+p.Notices, t.Pages+p.Pages))
	}
}

// verdict turns the score into a kind: a notice above the threshold; else
// a list when the page looks like one.
func (j *judging) verdict(p Page) Verdict {
	v := Verdict{Kind: Other, Score: j.score, Evidence: j.evidence}
	switch {
	case j.score > threshold:
		v.Kind = Notice
	case looksLikeList(p):
		v.Kind = List
	}
	return v
}

// looksLikeList tells a page whose links a crawl follows as a list's entries.
func looksLikeList(p Page) bool {
	return p.Items >= minItems || p.Pager && p.Items >= minPagedItems || p.TeasersFirst && p.Items > 0
}

func joinNames(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
