// Package ui holds noticekb's page templates and static files, embedded in
// the binary so it runs anywhere alone.
package ui

import "embed"

// Templates holds the html/template files, one page or fragment each.
//
//go:embed templates/*.html
var Templates embed.FS

// Static holds stylesheets, scripts and images, served under /static/.
//
//go:embed static
var Static embed.FS
