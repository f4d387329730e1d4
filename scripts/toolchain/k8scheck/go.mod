module eventmart.local/k8scheck

go 1.24

require (
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.2
	go.yaml.in/yaml/v3 v3.0.4
	sigs.k8s.io/kind v0.30.0
	sigs.k8s.io/yaml v1.4.0
)

require (
	github.com/pkg/errors v0.9.1 // indirect
	golang.org/x/text v0.14.0 // indirect
)
