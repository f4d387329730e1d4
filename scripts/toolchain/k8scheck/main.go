// Command k8scheck holds the checks of the Kubernetes files that no off-the-shelf tool
// here does: decoding the kind config strictly, turning CRDs into JSON Schemas that
// kubeconform reads, validating a YAML file against a JSON Schema (skaffold.yaml), parsing
// Dockerfiles the way BuildKit does, and rendering a kustomization the way `kubectl kustomize`
// does (the same kustomize API that kubectl 1.34 embeds), for machines without a kubectl.
// scripts/toolchain/k8s-tools.sh builds it into the tool cache; test/k8s runs it.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

const usage = `usage:
  k8scheck kind-config FILE               decode a kind Cluster config strictly, print a JSON summary
  k8scheck crd-schemas OUTDIR CRD.yaml...  write strict JSON Schemas OUTDIR/<group>/<kind>_<version>.json
  k8scheck jsonschema SCHEMA FILE.yaml     validate every YAML document in FILE against SCHEMA
  k8scheck dockerfile FILE...              parse Dockerfiles with BuildKit's parser and linter
  k8scheck kustomize DIR                   render a kustomization to stdout, as kubectl kustomize DIR does`

func main() {
	if len(os.Args) < 2 {
		fail(errors.New(usage))
	}
	var err error
	switch args := os.Args[2:]; os.Args[1] {
	case "kind-config":
		err = needArgs(args, 1, func() error { return checkKindConfig(args[0], os.Stdout) })
	case "crd-schemas":
		err = needArgs(args, 2, func() error { return writeCRDSchemas(args[0], args[1:]) })
	case "jsonschema":
		err = needArgs(args, 2, func() error { return validateYAML(args[0], args[1]) })
	case "dockerfile":
		err = needArgs(args, 1, func() error { return checkDockerfiles(args) })
	case "kustomize":
		err = needArgs(args, 1, func() error { return kustomize(args[0], os.Stdout) })
	default:
		err = errors.New(usage)
	}
	if err != nil {
		fail(err)
	}
}

func needArgs(args []string, n int, run func() error) error {
	if len(args) < n {
		return errors.New(usage)
	}
	return run()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "k8scheck:", err)
	os.Exit(1)
}

// checkKindConfig decodes the way kind itself does (YAML → JSON → DisallowUnknownFields), so a
// misspelt field fails here instead of being silently ignored.
func checkKindConfig(path string, out io.Writer) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var cluster v1alpha4.Cluster
	if err := yaml.UnmarshalStrict(raw, &cluster); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if cluster.Kind != "Cluster" || cluster.APIVersion != "kind.x-k8s.io/v1alpha4" {
		return fmt.Errorf("%s: want kind Cluster, apiVersion kind.x-k8s.io/v1alpha4, got %q %q", path, cluster.Kind, cluster.APIVersion)
	}
	return json.NewEncoder(out).Encode(cluster)
}

// writeCRDSchemas turns every version of every CRD into a JSON Schema that rejects unknown
// fields, like kubeconform's -strict does for built-in kinds.
func writeCRDSchemas(outDir string, files []string) error {
	for _, file := range files {
		docs, err := readYAMLDocs(file)
		if err != nil {
			return err
		}
		for _, doc := range docs {
			if err := writeCRDSchema(outDir, doc); err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
		}
	}
	return nil
}

type crd struct {
	Kind string `json:"kind"`
	Spec struct {
		Group string `json:"group"`
		Names struct {
			Kind string `json:"kind"`
		} `json:"names"`
		Versions []struct {
			Name   string `json:"name"`
			Schema struct {
				OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
			} `json:"schema"`
		} `json:"versions"`
	} `json:"spec"`
}

func writeCRDSchema(outDir string, doc []byte) error {
	var c crd
	if err := json.Unmarshal(doc, &c); err != nil {
		return err
	}
	if c.Kind != "CustomResourceDefinition" {
		return nil
	}
	dir := filepath.Join(outDir, c.Spec.Group)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, v := range c.Spec.Versions {
		schema := v.Schema.OpenAPIV3Schema
		if schema == nil {
			return fmt.Errorf("%s %s has no openAPIV3Schema", c.Spec.Names.Kind, v.Name)
		}
		makeStrict(schema)
		props, _ := schema["properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
			schema["properties"] = props
		}
		// CRDs declare metadata as a bare object; check it like the API server does.
		props["metadata"] = objectMetaSchema()
		schema["additionalProperties"] = false
		name := filepath.Join(dir, strings.ToLower(c.Spec.Names.Kind)+"_"+v.Name+".json")
		body, err := json.MarshalIndent(schema, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(name, body, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// makeStrict closes every object that lists its properties, unless the CRD says it keeps
// unknown fields, and maps OpenAPI's nullable onto JSON Schema.
func makeStrict(s map[string]any) {
	props, hasProps := s["properties"].(map[string]any)
	_, hasAdditional := s["additionalProperties"]
	if hasProps && !hasAdditional && s["x-kubernetes-preserve-unknown-fields"] != true {
		s["additionalProperties"] = false
	}
	if s["nullable"] == true {
		if t, ok := s["type"].(string); ok {
			s["type"] = []any{t, "null"}
		}
	}
	if s["x-kubernetes-int-or-string"] == true {
		delete(s, "type")
		s["anyOf"] = []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}
	}
	for _, p := range props {
		if m, ok := p.(map[string]any); ok {
			makeStrict(m)
		}
	}
	for _, key := range []string{"items", "additionalProperties"} {
		if m, ok := s[key].(map[string]any); ok {
			makeStrict(m)
		}
	}
	for _, key := range []string{"allOf", "anyOf", "oneOf"} {
		if list, ok := s[key].([]any); ok {
			for _, item := range list {
				if m, ok := item.(map[string]any); ok {
					makeStrict(m)
				}
			}
		}
	}
}

func objectMetaSchema() map[string]any {
	str := map[string]any{"type": "string"}
	strMap := map[string]any{"type": "object", "additionalProperties": str}
	return map[string]any{
		"type": "object",
		"properties": map[string]any{
			"name": str, "namespace": str, "generateName": str, "labels": strMap, "annotations": strMap,
			"finalizers":      map[string]any{"type": "array", "items": str},
			"ownerReferences": map[string]any{"type": "array"},
		},
		"additionalProperties": false,
	}
}

// kustomize builds DIR with the options `kubectl kustomize DIR` passes: resources only from
// within the kustomization's root, no plugins, and the order the kustomization asks for (the
// legacy order when it asks for none).
func kustomize(dir string, out io.Writer) error {
	options := krusty.MakeDefaultOptions()
	options.Reorder = krusty.ReorderOptionUnspecified
	resources, err := krusty.MakeKustomizer(options).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return err
	}
	text, err := resources.AsYaml()
	if err != nil {
		return err
	}
	_, err = out.Write(text)
	return err
}

func validateYAML(schemaPath, file string) error {
	c := jsonschema.NewCompiler()
	schema, err := c.Compile(schemaPath)
	if err != nil {
		return err
	}
	docs, err := readYAMLDocs(file)
	if err != nil {
		return err
	}
	var failed []string
	for i, doc := range docs {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if err != nil {
			return err
		}
		if err := schema.Validate(inst); err != nil {
			failed = append(failed, fmt.Sprintf("%s document %d: %v", file, i+1, err))
		}
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "\n"))
	}
	fmt.Printf("%s: %d documents valid against %s\n", file, len(docs), filepath.Base(schemaPath))
	return nil
}

// readYAMLDocs splits a multi-document YAML file and returns each non-empty document as JSON.
func readYAMLDocs(file string) ([][]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := yamlv3.NewDecoder(f)
	var docs [][]byte
	for {
		var node yamlv3.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		raw, err := yamlv3.Marshal(&node)
		if err != nil {
			return nil, err
		}
		doc, err := yaml.YAMLToJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if string(doc) != "null" {
			docs = append(docs, doc)
		}
	}
}
