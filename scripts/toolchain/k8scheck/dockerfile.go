package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// checkDockerfiles parses each Dockerfile with BuildKit's own parser and instruction decoder,
// with its linter on: a syntax error, an unknown instruction or flag, or a lint warning fails.
func checkDockerfiles(files []string) error {
	var problems []string
	for _, file := range files {
		problems = append(problems, checkDockerfile(file)...)
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	fmt.Printf("%d Dockerfiles parse cleanly\n", len(files))
	return nil
}

func checkDockerfile(file string) []string {
	f, err := os.Open(file)
	if err != nil {
		return []string{err.Error()}
	}
	defer f.Close()
	ast, err := parser.Parse(f)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", file, err)}
	}
	var problems []string
	for _, w := range ast.Warnings {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", file, w.Location.Start.Line, w.Short))
	}
	lint := linter.New(&linter.Config{
		Warn: func(rule, description, url, message string, location []parser.Range) {
			line := 0
			if len(location) > 0 {
				line = location[0].Start.Line
			}
			problems = append(problems, fmt.Sprintf("%s:%d: %s: %s", file, line, rule, message))
		},
	})
	stages, _, err := instructions.Parse(ast.AST, lint)
	if err != nil {
		return append(problems, fmt.Sprintf("%s: %v", file, err))
	}
	if len(stages) == 0 {
		problems = append(problems, fmt.Sprintf("%s: no build stage", file))
	}
	return problems
}
