package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
)

// syntheticNotices makes n notices of words drawn from a small vocabulary,
// with partners, topics and dates, as a corpus for timing.
func syntheticNotices(n int, seed uint64) []notice.Notice {
	rng := rand.New(rand.NewPCG(seed, 1))
	vocabulary := strings.Fields("climate adaptation smart city digital government partnership local " +
		"innovation policy coherence sustainable development goals capacity training workshop forum " +
		"agreement memorandum cooperation research institute data identity registration public service " +
		"youth women health education water energy transport housing budget council election")
	partners := []string{"KLID", "UNDP", "KOICA", "UN DESA", "OECD", "World Bank"}
	topics := []string{"Localizing the SDGs", "Policy coherence", "Public service innovation", "CRVS", "Digital identity"}
	words := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = vocabulary[rng.IntN(len(vocabulary))]
		}
		return strings.Join(w, " ")
	}
	start := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]notice.Notice, n)
	for i := range out {
		out[i] = notice.Notice{
			ID: fmt.Sprintf("s%d-%d", seed, i), URL: fmt.Sprintf("https://example.org/%d/%d", seed, i),
			Title: words(6), Body: words(120), Publisher: "UNPOG",
			Date:     notice.DateOf(start.AddDate(0, 0, rng.IntN(5000))),
			Partners: []string{partners[rng.IntN(len(partners))]},
			Topics:   []string{topics[rng.IntN(len(topics))]},
		}
	}
	return out
}

// The first search after a write, as while a site is re-crawled: the
// write prepares the new snapshot's view, so that search costs about what
// any other does (BenchmarkSearch/steady).
func BenchmarkSearch(b *testing.B) {
	ix, err := OpenWith(b.TempDir(), Options{CacheEntries: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	corpus := syntheticNotices(20000, 1)
	for i := 0; i < len(corpus); i += 1000 {
		if err := ix.Apply(corpus[i:i+1000], uint64(i+1000)); err != nil {
			b.Fatal(err)
		}
	}
	q := notice.Query{Text: "digital government", Size: 10}
	b.Run("steady", func(b *testing.B) {
		for b.Loop() {
			mustSearch(b, ix, q)
		}
	})
	writes := syntheticNotices(3000, 2)
	b.Run("after a write", func(b *testing.B) {
		seq := uint64(len(corpus))
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			batch := writes[(3*i)%len(writes):][:3]
			seq += 3
			if err := ix.Apply(batch, seq); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			mustSearch(b, ix, q)
		}
	})
}

// Searches during writes and Bleve's background merges see every notice a
// finished write added (a view built aside for merged segments never
// stands in for newer notices), and searches running alongside never fail.
func TestSearchesSeeEveryFinishedWrite(t *testing.T) {
	ix, err := OpenWith(t.TempDir(), Options{CacheEntries: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	corpus := syntheticNotices(1200, 3)
	stop := make(chan struct{})
	failed := make(chan error, 1)
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := ix.Search(context.Background(), notice.Query{Text: "digital", Size: 5}); err != nil {
					select {
					case failed <- err:
					default:
					}
					return
				}
			}
		}()
	}
	for i := 0; i < len(corpus); i += 20 {
		if err := ix.Apply(corpus[i:i+20], uint64(i+20)); err != nil {
			t.Fatal(err)
		}
		r := mustSearch(t, ix, notice.Query{Size: 1})
		if r.Total != uint64(i+20) {
			t.Fatalf("after writing %d notices a search finds %d", i+20, r.Total)
		}
	}
	close(stop)
	readers.Wait()
	select {
	case err := <-failed:
		t.Fatalf("a search alongside the writes failed: %v", err)
	default:
	}
}
