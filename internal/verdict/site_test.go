package verdict

import (
	"fmt"
	"testing"
)

// A crawl's knowledge judges pages of one template together: the post of
// a template of posts that shows no date is a notice; the service page
// that shows one, in a template of services, is not. What the lists say
// counts as it is learned, before or after the page is read.
func TestKnowledge(t *testing.T) {
	k := NewKnowledge()
	for i := range 8 {
		u := fmt.Sprintf("https://example.org/news/2024/03/%02d/post-number-%d/", i+1, i)
		k.Learn(u, article(u))
		k.List(u, DatedItem)
	}
	undatedPost := "https://example.org/news/2024/04/01/short-advisory/"
	k.Learn(undatedPost, Page{URL: undatedPost, Title: true, Enough: true, Skeleton: "post"})
	for i := range 5 {
		u := fmt.Sprintf("https://example.org/services/service-%d/", i)
		k.Learn(u, Page{URL: u, Title: true, Enough: true, Skeleton: "service"})
	}
	datedService := "https://example.org/services/roadmap/"
	k.Learn(datedService, Page{URL: datedService, Title: true, Enough: true, DateSource: "page", Skeleton: "service"})

	if v, _ := k.Judge(undatedPost); v.Kind != Notice {
		t.Errorf("undated post of a template of posts: %s\n%s", v.Kind, v.Explain())
	}
	if v, _ := k.Judge(datedService); v.Kind != Other {
		t.Errorf("dated page of a template of services: %s\n%s", v.Kind, v.Explain())
	}
	// Alone, the dated service page would be one.
	if v := Judge(Page{URL: datedService, Title: true, Enough: true, DateSource: "page"}, Site{}); v.Kind != Notice {
		t.Errorf("the dated page alone: %s", v.Kind)
	}

	// A list's link learned before the page is read counts when it is;
	// a link to /a counts for the page /a/ it redirects to.
	later := "https://example.org/notes/a-later-note/"
	if !k.List("https://example.org/notes/a-later-note", DatedItem) || k.List(later, Item) {
		t.Error("List: a listing raised, then a weaker one")
	}
	k.Learn(later, Page{URL: later, Title: true, Enough: true, DateSource: "metadata", Skeleton: "note"})
	if v, _ := k.Judge(later); v.Kind != Notice || k.Listing(later) != DatedItem {
		t.Errorf("a page listed before it was read: %s, %s\n%s", v.Kind, k.Listing(later), v.Explain())
	}
	if _, ok := k.Judge("https://example.org/never-read/"); ok || !k.Knows(later) || len(k.URLs()) != 16 {
		t.Errorf("Judge of a page never read: ok %v; knows %v; %d urls", ok, k.Knows(later), len(k.URLs()))
	}
	// Learning a page again replaces what was known of it.
	k.Learn(undatedPost, Page{URL: undatedPost, Title: true, Skeleton: "post"})
	if v, _ := k.Judge(undatedPost); v.Kind == Notice {
		t.Errorf("a page learned again without text: still %s", v.Kind)
	}
}
