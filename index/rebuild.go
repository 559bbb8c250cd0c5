package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/noticekb/noticekb/internal/notice"
)

// batchSize is how many notices a rebuild writes per batch.
const batchSize = 500

// Source feeds every live notice to a rebuild, and says up to which store
// sequence number they are current.
type Source interface {
	EachNotice(fn func(notice.Notice) error) error
	LastSeq() uint64
}

// Rebuild builds a new index from the source next to the current one, then
// switches to it. Searches keep using the old index until the switch; if
// the rebuild fails or ctx is cancelled, the old index stays.
func (ix *Index) Rebuild(ctx context.Context, src Source) error {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	seq := src.LastSeq()
	dir := newDirName()
	path := filepath.Join(ix.dataDir, dir)
	idx, err := newBleve(path)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		idx.Close()
		os.RemoveAll(path)
		return err
	}
	batch := make([]notice.Notice, 0, batchSize)
	flush := func() error {
		if err := apply(idx, batch, 0, nil); err != nil {
			return err
		}
		batch = batch[:0]
		return ctx.Err()
	}
	err = src.EachNotice(func(n notice.Notice) error {
		if n.Withdrawn() {
			return nil
		}
		batch = append(batch, n)
		if len(batch) == batchSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil {
		err = apply(idx, nil, max(seq, 1), nil)
	}
	if err != nil {
		return fail(fmt.Errorf("index: rebuild: %w", err))
	}
	if err := writePointer(ix.dataDir, dir); err != nil {
		return fail(err)
	}
	ix.mu.Lock()
	old, oldDir := ix.idx, ix.dir
	ix.idx, ix.dir = idx, dir
	ix.mu.Unlock()
	ix.generation.Add(1)
	ix.views.reset()
	old.Close()
	os.RemoveAll(filepath.Join(ix.dataDir, oldDir))
	return nil
}
