package extract

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"noticekb/internal/pubdate"
)

func TestDebugDate(t *testing.T) {
	path := os.Getenv("DEBUG_PAGE")
	if path == "" {
		t.Skip()
	}
	f, _ := os.Open(path)
	zr, _ := gzip.NewReader(f)
	body, _ := io.ReadAll(zr)
	x := newTestExtractor()
	res, _ := x.Extract(Page{Body: body})
	root, _ := decode(body, "")
	pg := &page{x: x, root: root, meta: readMetadata(root)}
	pg.title, pg.body = res.Notice.Title, res.Notice.Body
	pg.doc = goquery.NewDocumentFromNode(root)
	_, pg.titleNode = pg.findTitle()
	fmt.Println("title:", pg.title, "date:", res.Notice.Date, "hints", pg.meta.publishedHints, pg.meta.weakHints)
	ts, ok := pg.titleSpan()
	fmt.Println("titlespan", ts, ok, "bodystart", pg.bodyStart())
	pt := pg.text()
	for _, d := range pg.shownDates(pubdate.Auto, time.Now()) {
		fmt.Printf("%s @%d score=%d %q\n", d.date, d.start, d.score, pt.text[max(0, d.start-60):min(len(pt.text), d.start+20)])
		chain := ""
		for e := pt.elementAt(d.start); e != nil && e.Type == html.ElementNode; e = e.Parent {
			chain += e.Data + "[" + elementLabel(e) + "] < "
		}
		fmt.Println("    ", chain)
	}
}
