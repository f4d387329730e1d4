// Builds the skaffold CLI: `go install` of skaffold fails because its go.mod has replace and
// exclude directives, which only apply in the main module. This wrapper repeats them.
// go.sum is not committed (~100 KB): scripts/cluster/tools.sh builds from a copy in the cache
// with -mod=mod, and the checksum database verifies what it adds.
module eventmart.local/skaffold

go 1.24.1

require github.com/GoogleContainerTools/skaffold/v2 v2.16.1

tool github.com/GoogleContainerTools/skaffold/v2/cmd/skaffold

// Copied from skaffold v2.16.1's go.mod.
exclude github.com/karrick/godirwalk v1.17.0

replace (
	github.com/alessio/shellescape => github.com/alessio/shellescape v1.4.2
	github.com/buildpacks/lifecycle => github.com/buildpacks/lifecycle v0.20.5
	github.com/docker/cli => github.com/docker/cli v27.5.1+incompatible
	github.com/docker/docker => github.com/docker/docker v27.5.1+incompatible
	github.com/imdario/mergo => github.com/imdario/mergo v0.3.16
	github.com/spf13/viper => github.com/spf13/viper v1.19.0
)
