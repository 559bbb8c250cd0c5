package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/ui"
)

// assets serves the embedded static files under content-hashed names
// (style.3f2a1b9c.css), so they can be cached for a year and a new build
// is still seen at once.
type assets struct {
	byName   map[string]string // "style.css" -> "style.3f2a1b9c.css"
	byHashed map[string]asset
}

type asset struct {
	data        []byte
	contentType string
}

func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]string{}, byHashed: map[string]asset{}}
	err := fs.WalkDir(ui.Static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := ui.Static.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(data)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		a.byName[name] = hashed
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.byHashed[hashed] = asset{data: data, contentType: ct}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	return a, nil
}

// url is the hashed URL of a static file, for templates.
func (a *assets) url(name string) (string, error) {
	hashed, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return "/static/" + hashed, nil
}

func (s *Server) handleAsset(c *fiber.Ctx) error {
	a, ok := s.assets.byHashed[c.Params("name")]
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, a.contentType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	return c.Send(a.data)
}

// handleFavicon answers browsers that ask for /favicon.ico on their own
// (on feeds and other documents without an icon link) with the site icon.
func (s *Server) handleFavicon(c *fiber.Ctx) error {
	a := s.assets.byHashed[s.assets.byName["icon.svg"]]
	c.Set(fiber.HeaderContentType, a.contentType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(a.data)
}
