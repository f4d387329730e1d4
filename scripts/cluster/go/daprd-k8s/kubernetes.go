// Compiled into a copy of scripts/toolchain/daprd (see scripts/cluster/dapr.sh) to make the sidecar image
// for the cluster. In Kubernetes mode daprd always loads the built-in "kubernetes" secret store
// and, unless a Configuration names another, the "kubernetes" name resolver: the local build
// registers neither (it runs self-hosted), so the sidecar would fail to initialise without these.
package main

import (
	nrkubernetes "github.com/dapr/components-contrib/nameresolution/kubernetes"
	secretskubernetes "github.com/dapr/components-contrib/secretstores/kubernetes"
	nrLoader "github.com/dapr/dapr/pkg/components/nameresolution"
	secretstoresLoader "github.com/dapr/dapr/pkg/components/secretstores"
)

// init runs before main's registerComponents; the registries are plain maps, so order is moot.
func init() {
	secretstoresLoader.DefaultRegistry.RegisterComponent(secretskubernetes.NewKubernetesSecretStore, "kubernetes")
	nrLoader.DefaultRegistry.RegisterComponent(nrkubernetes.NewResolver, "kubernetes")
}
