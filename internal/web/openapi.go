package web

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/noticekb/noticekb/internal/notice"
)

// openAPI describes every API route and parameter (OpenAPI 3), the admin
// operations (tag admin) included.
//
//go:embed openapi.json
var openAPI []byte

// adminTag marks the operations that exist only with the admin API on;
// sitesTag those that also need the registry of sites.
const (
	adminTag = "admin"
	sitesTag = "sites"
)

// openAPIDocument is the document this server serves: the whole of
// openapi.json with the admin API and the registry on, else without the
// operations that are off and what only they use.
func openAPIDocument(adminOn, sitesOn bool) ([]byte, error) {
	if adminOn && sitesOn {
		return openAPI, nil
	}
	off := sitesTag
	if !adminOn {
		off = adminTag
	}
	var doc map[string]any
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		return nil, fmt.Errorf("web: openapi.json: %w", err)
	}
	paths, _ := doc["paths"].(map[string]any)
	for path, item := range paths {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			if o, ok := op.(map[string]any); ok && (hasTag(o, off) || hasTag(o, sitesTag)) {
				delete(ops, method)
			}
		}
		if len(ops) == 0 {
			delete(paths, path)
		}
	}
	tags, _ := doc["tags"].([]any)
	doc["tags"] = slices.DeleteFunc(tags, func(t any) bool { m, _ := t.(map[string]any); return m["name"] == off || m["name"] == sitesTag })
	components, _ := doc["components"].(map[string]any)
	if !adminOn {
		delete(components, "securitySchemes")
	}
	pruneComponents(doc, components)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("web: openapi.json: %w", err)
	}
	return out, nil
}

func hasTag(op map[string]any, tag string) bool {
	tags, _ := op["tags"].([]any)
	return slices.Contains(tags, any(tag))
}

// pruneComponents drops the components nothing refers to any more, until
// every one left is used.
func pruneComponents(doc, components map[string]any) {
	for {
		used := map[string]bool{}
		collectRefs(doc, used)
		dropped := false
		for kind, group := range components {
			entries, _ := group.(map[string]any)
			for name := range entries {
				if !used["#/components/"+kind+"/"+name] {
					delete(entries, name)
					dropped = true
				}
			}
		}
		if !dropped {
			return
		}
	}
}

func collectRefs(v any, used map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if ref, ok := e.(string); ok && k == "$ref" {
				used[ref] = true
			}
			collectRefs(e, used)
		}
	case []any:
		for _, e := range v {
			collectRefs(e, used)
		}
	}
}

func (s *Server) handleOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(s.openAPI)
}

// handleRelatedAPI lists the notices related to a notice.
func (s *Server) handleRelatedAPI(c *fiber.Ctx) error {
	r, ok := s.relater()
	if !ok {
		return fiber.ErrNotFound
	}
	id := utils.CopyString(c.Params("id"))
	if id == "" || len(id) > 64 {
		return notice.ErrNotFound
	}
	size := relatedCount
	if raw := c.Query("size"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("%w: size must be a whole number", notice.ErrInvalidQuery)
		}
		size = n
	}
	hits, err := r.Related(c.UserContext(), id, size)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": id, "hits": publicHits(hits)})
}
