package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
)

// Charts are drawn on the server as inline SVG: no script, no external
// library, and every bar is a link that works without JavaScript.

// Histogram is a bar chart of notices over time, one linked bar a bucket.
type Histogram struct {
	Label         string // what the chart shows, for screen readers
	Width, Height int    // the viewBox
	First, Last   string // axis labels
	Top           uint64 // the highest count
	Bars          []Bar
}

// Bar is one bucket. Hit is the full-height area that takes the click, so
// a short bar is as easy to hit as a tall one.
type Bar struct {
	Label, Name, URL string
	Count            uint64
	X, Y, W, H       int
	HitY, HitH       int
	Selected         bool
}

const barWidth, barGap, chartHeight = 12, 3, 64

// bars lays out counts as bars scaled to the highest one.
func bars(values []notice.FacetValue) (top uint64, out []Bar) {
	top = 1
	for _, v := range values {
		top = max(top, v.Count)
	}
	for i, v := range values {
		height := int(math.Round(float64(v.Count) / float64(top) * (chartHeight - 4)))
		if v.Count > 0 && height < 2 {
			height = 2
		}
		out = append(out, Bar{
			Count: v.Count, Selected: v.Selected,
			X: i*(barWidth+barGap) + 1, W: barWidth, Y: chartHeight - height, H: height,
			HitY: 0, HitH: chartHeight,
		})
	}
	return top, out
}

// yearHistogram links each year's bar to that year; the bar of the year
// shown alone links back to all years.
func yearHistogram(st state, years []notice.FacetValue) *Histogram {
	if len(years) == 0 {
		return nil
	}
	top, bs := bars(years)
	h := &Histogram{Label: "Notices per year", Width: len(years)*(barWidth+barGap) + 1, Height: chartHeight,
		First: years[0].Value, Last: years[len(years)-1].Value, Top: top}
	shownYear, single := singleYear(st.Query)
	for i, y := range years {
		b := bs[i]
		b.Label, b.Name = y.Value, y.Value
		b.Selected = single && strconv.Itoa(shownYear) == y.Value
		b.URL = searchURL("/", periodState(st, y.Value, b.Selected))
		h.Bars = append(h.Bars, b)
	}
	return h
}

// monthHistogram shows the twelve months of the one year shown.
func monthHistogram(st state, year int, months []notice.FacetValue) *Histogram {
	counts := map[string]uint64{}
	for _, m := range months {
		counts[m.Value] = m.Count
	}
	var values []notice.FacetValue
	for m := time.January; m <= time.December; m++ {
		key := fmt.Sprintf("%04d-%02d", year, m)
		values = append(values, notice.FacetValue{Value: key, Count: counts[key]})
	}
	top, bs := bars(values)
	h := &Histogram{Label: fmt.Sprintf("Notices per month in %d", year), Width: len(values)*(barWidth+barGap) + 1, Height: chartHeight,
		First: "Jan", Last: "Dec", Top: top}
	q := st.Query
	for i, v := range values {
		b := bs[i]
		month := time.Month(i + 1)
		b.Name = v.Value
		b.Label = month.String() + " " + strconv.Itoa(year)
		last, _ := notice.ParseDateBound(v.Value, true)
		b.Selected = q.From.String() == v.Value+"-01" && q.To.String() == last.String()
		b.URL = searchURL("/", periodState(st, v.Value, b.Selected))
		h.Bars = append(h.Bars, b)
	}
	return h
}

// periodState narrows a state to one year ("2019") or month ("2019-04"), or
// widens it back when that period is the one shown: from a month back to
// its year, from a year to all time.
func periodState(st state, period string, shown bool) state {
	return with(st, func(st *state) {
		switch {
		case shown && len(period) > 4:
			period = period[:4]
		case shown:
			st.From, st.To = notice.Date{}, notice.Date{}
			return
		}
		st.From, _ = notice.ParseDateBound(period, false)
		st.To, _ = notice.ParseDateBound(period, true)
	})
}

// singleYear reports the year a query is limited to, if it lies within one.
func singleYear(q notice.Query) (int, bool) {
	if q.From.IsZero() || q.To.IsZero() || q.From.Year() != q.To.Year() {
		return 0, false
	}
	return q.From.Year(), true
}

// Sparkline is a small bar chart of counts per year, drawn as one path.
type Sparkline struct {
	Width, Height int
	Path          string
	Label         string
}

const sparkBar, sparkHeight = 4, 16

func sparkline(years []string, counts map[string]uint64) Sparkline {
	var top uint64 = 1
	for _, y := range years {
		top = max(top, counts[y])
	}
	var path, label strings.Builder
	for i, y := range years {
		c := counts[y]
		if c > 0 {
			h := max(1, int(math.Round(float64(c)/float64(top)*sparkHeight)))
			fmt.Fprintf(&path, "M%d %dh%dv%dh-%dz", i*(sparkBar+1), sparkHeight-h, sparkBar, h, sparkBar)
		}
		if label.Len() > 0 {
			label.WriteString(", ")
		}
		fmt.Fprintf(&label, "%s: %d", y, c)
	}
	return Sparkline{Width: max(1, len(years)*(sparkBar+1)-1), Height: sparkHeight, Path: path.String(), Label: label.String()}
}

// heatLevels is the number of shades of the map, 0 for an empty cell.
const heatLevels = 6

// heat shades a count against the highest one on a square-root scale, so
// one dominant pair does not leave every other cell pale.
func heat(count, top uint64) int {
	if count == 0 || top == 0 {
		return 0
	}
	level := int(math.Ceil(math.Sqrt(float64(count)/float64(top)) * (heatLevels - 1)))
	return min(max(level, 1), heatLevels-1)
}
