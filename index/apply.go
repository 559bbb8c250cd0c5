package index

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"

	"github.com/noticekb/noticekb/internal/notice"
)

// keyAppliedSeq holds the store sequence number the index is current to.
var keyAppliedSeq = []byte("noticekb_applied_seq")

// Apply writes changed notices in one batch: live notices are indexed,
// withdrawn ones removed. seq is the store sequence number the batch brings
// the index up to; it is written in the same batch, so after a crash the
// index knows exactly which changes it holds.
func (ix *Index) Apply(changed []notice.Notice, seq uint64) error {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if err := apply(ix.idx, changed, seq, &ix.generation); err != nil {
		return err
	}
	ix.prepareView()
	return nil
}

// prepareView builds the view of the snapshot a write made, so the writer
// pays for stitching the columns rather than the next search (while a
// site is being re-crawled, the first search after each batch took four
// times the usual p99). A failure is left for that search to meet.
func (ix *Index) prepareView() {
	r, err := ix.openReader()
	if err == nil {
		r.snap.Close()
	}
}

func apply(idx bleve.Index, changed []notice.Notice, seq uint64, generation *atomic.Uint64) error {
	b := idx.NewBatch()
	for i := range changed {
		n := &changed[i]
		if n.Withdrawn() {
			b.Delete(n.ID)
			continue
		}
		if err := b.Index(n.ID, document(n)); err != nil {
			return fmt.Errorf("index: notice %s: %w", n.ID, err)
		}
	}
	if seq > 0 {
		b.SetInternal(keyAppliedSeq, u64(seq))
	}
	if err := idx.Batch(b); err != nil {
		return fmt.Errorf("index: batch: %w", err)
	}
	if generation != nil {
		generation.Add(1)
	}
	return nil
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}
