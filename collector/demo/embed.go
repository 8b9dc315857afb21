package demo

import _ "embed"

// ConfigYAML is the built-in demo configuration served when no configuration file is given.
//
//go:embed demo.yml
var ConfigYAML []byte
