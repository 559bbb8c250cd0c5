package bench

import (
	"fmt"
	"html"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/noticekb/noticekb/internal/notice"
)

// A question set: a relevance test collection made from a knowledge
// base's notices, in the layout of ../shared/bench/relevance (pages/,
// queries.tsv, qrels.tsv), so that run.sh scores noticekb and Xapian on
// it. It checks that ranking choices made on one collection hold on
// another, with queries written the way people ask:
//
//   - a question about a notice's title ("What is there about …?"): the
//     notice is relevant;
//   - a sentence of a notice pasted as it is: the notice is relevant;
//   - a question about a partner's work on a topic in a year ("What did
//     the Korea Local Information Research & Development Institute do on
//     smart city in 2019?"): every notice with that partner, topic and
//     year is relevant.

// QuestionSet collects notices, then writes the collection.
type QuestionSet struct {
	rng      *rand.Rand
	notices  []notice.Notice
	fullName map[string]string
}

// NewQuestionSet draws questions with the seed; fullName gives partners'
// full names (a question names a partner either way).
func NewQuestionSet(seed uint64, fullName map[string]string) *QuestionSet {
	return &QuestionSet{rng: rand.New(rand.NewPCG(seed, seed^0xa0761d6478bd642f)), fullName: fullName}
}

// Add keeps a notice as a page of the collection.
func (qs *QuestionSet) Add(n notice.Notice) { qs.notices = append(qs.notices, n) }

// Write writes pages, queries.tsv and qrels.tsv into dir, with perKind
// queries of each kind.
func (qs *QuestionSet) Write(dir string, perKind int) error {
	pages := filepath.Join(dir, "pages")
	if err := os.MkdirAll(pages, 0o755); err != nil {
		return err
	}
	for i, n := range qs.notices {
		if err := os.WriteFile(filepath.Join(pages, fmt.Sprintf("doc-%d.html", i+1)), articlePage(n), 0o644); err != nil {
			return err
		}
	}
	var queries, qrels strings.Builder
	qid := 0
	add := func(text string, relevant []int) {
		qid++
		fmt.Fprintf(&queries, "%d\t%d\t%s\n", qid, qid, text)
		for _, d := range relevant {
			fmt.Fprintf(&qrels, "%d\t%d\t1\n", qid, d)
		}
	}
	for _, i := range qs.rng.Perm(len(qs.notices))[:min(perKind, len(qs.notices))] {
		add(qs.titleQuestion(qs.notices[i]), []int{i + 1})
	}
	pasted := 0
	for _, i := range qs.rng.Perm(len(qs.notices)) {
		if s := longSentence(qs.notices[i].Body); s != "" && pasted < perKind {
			add(s, []int{i + 1})
			pasted++
		}
	}
	asked := map[string]bool{}
	for _, i := range qs.rng.Perm(len(qs.notices)) {
		n := qs.notices[i]
		if qid >= 3*perKind || len(n.Partners) == 0 || len(n.Topics) == 0 || n.Date.IsZero() {
			continue
		}
		p, t, y := n.Partners[qs.rng.IntN(len(n.Partners))], n.Topics[qs.rng.IntN(len(n.Topics))], n.Date.Time().Year()
		key := fmt.Sprint(p, t, y)
		if asked[key] {
			continue
		}
		asked[key] = true
		var relevant []int
		for j, m := range qs.notices {
			if slices.Contains(m.Partners, p) && slices.Contains(m.Topics, t) && !m.Date.IsZero() && m.Date.Time().Year() == y {
				relevant = append(relevant, j+1)
			}
		}
		add(qs.workQuestion(p, t, y), relevant)
	}
	if err := os.WriteFile(filepath.Join(dir, "queries.tsv"), []byte(queries.String()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "qrels.tsv"), []byte(qrels.String()), 0o644)
}

var titleQuestions = []string{"What is there about %s?", "Where can I read about %s", "%s - any news?", "I am looking for the notice on %s."}

func (qs *QuestionSet) titleQuestion(n notice.Notice) string {
	return fmt.Sprintf(titleQuestions[qs.rng.IntN(len(titleQuestions))], strings.ToLower(n.Title))
}

var workQuestions = []string{"What did %s do on %s in %d?", "%s and %s: activities in %d", "Which events with %s about %s took place in %d?"}

func (qs *QuestionSet) workQuestion(partner, topic string, year int) string {
	name := partner
	if full := qs.fullName[partner]; full != "" && qs.rng.IntN(2) == 0 {
		name = full
	}
	return fmt.Sprintf(workQuestions[qs.rng.IntN(len(workQuestions))], name, strings.ToLower(topic), year)
}

// longSentence is the first sentence of a body with 12 to 60 words.
func longSentence(body string) string {
	for _, s := range strings.SplitAfter(strings.Join(strings.Fields(body), " "), ". ") {
		if n := len(strings.Fields(s)); n >= 12 && n <= 60 {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// articlePage is a notice as a plain article page, as the shared
// collections write theirs.
func articlePage(n notice.Notice) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>\n", html.EscapeString(n.Title))
	b.WriteString("<meta property=\"og:type\" content=\"article\">\n")
	if !n.Date.IsZero() {
		fmt.Fprintf(&b, "<meta property=\"article:published_time\" content=\"%s\">\n", n.Date)
	}
	fmt.Fprintf(&b, "</head><body><article><h1>%s</h1>\n", html.EscapeString(n.Title))
	for _, p := range strings.Split(n.Body, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(p))
		}
	}
	b.WriteString("</article></body></html>\n")
	return []byte(b.String())
}
