#!/usr/bin/env bash
# Sets up the offline test builder that `xlint verify`'s end-to-end tests drive (DESIGN §4):
# Debian's docker.io (dockerd 20.10 + BuildKit), QEMU through binfmt_misc, a docker-registry on
# 127.0.0.1:5000, and multi-platform base images (linux/amd64 + linux/arm64) made from Debian
# packages: 127.0.0.1:5000/xlint/busybox and 127.0.0.1:5000/xlint/golang.
# No image is pulled from any public registry.
#
# Idempotent: a second run with the daemon, the registry and the images in place takes seconds.
# Everything it starts lives under $XLINT_BUILDER_DIR (default /var/tmp/xlint-builder);
# test/builder/teardown.sh stops it. It writes $XLINT_BUILDER_DIR/env (DOCKER_HOST=..., XLINT_REGISTRY=...)
# for the tests; `source` it to drive the builder by hand.
#
#   XLINT_BUILDER_SKIP_GO=1   skip the Go toolchain image (the busybox image takes seconds, Go about a minute)
#   XLINT_BUILDER_GCC=1       also make 127.0.0.1:5000/xlint/gcc: Debian's gcc 12 + make for each arch, and in the
#                             amd64 image the aarch64-linux-gnu cross compiler (for bench/builds.sh's C build)
set -euo pipefail

DIR="${XLINT_BUILDER_DIR:-/var/tmp/xlint-builder}"
REGISTRY="${XLINT_REGISTRY:-127.0.0.1:5000}"
SOCKET="$DIR/docker.sock"
# The Debian CLI that matches the daemon: /usr/local/bin/docker (if any) may be a newer CLI without buildx.
DOCKER=/usr/bin/docker
ARCHES="amd64 arm64"
GO_VERSION=1.19

export DOCKER_HOST="unix://$SOCKET"
export DOCKER_BUILDKIT=1
export DEBIAN_FRONTEND=noninteractive

start=$(date +%s)
log() { printf '[setup %3ss] %s\n' "$(( $(date +%s) - start ))" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

mkdir -p "$DIR"/{debs,work,registry-data}

# 1. Packages -----------------------------------------------------------------------------------
need_pkgs=()
for p in docker.io qemu-user-static binfmt-support docker-registry curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_pkgs+=("$p")
done
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  apt_updated=no
fi
if [ ${#need_pkgs[@]} -gt 0 ] || [ "${apt_updated:-}" = no ]; then
  log "apt-get install ${need_pkgs[*]:-(arm64 package lists)}"
  apt-get update -qq
  [ ${#need_pkgs[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
[ -x /usr/sbin/dockerd ] || die "/usr/sbin/dockerd missing after installing docker.io"
[ -x "$DOCKER" ] || die "$DOCKER missing after installing docker.io"

# 2. QEMU through binfmt_misc ---------------------------------------------------------------------
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || die "cannot mount binfmt_misc (is this container privileged?)"
fi
if ! grep -qs '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64; then
  update-binfmts --enable >/dev/null 2>&1 || true
  grep -qs '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64 || die "qemu-aarch64 is not registered in binfmt_misc"
fi
log "binfmt_misc: qemu-aarch64 enabled"

# 3. dockerd ------------------------------------------------------------------------------------
daemon_up() { "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if ! daemon_up; then
  log "starting dockerd (socket $SOCKET)"
  mkdir -p "$DIR/data-root" "$DIR/exec-root"
  nohup /usr/sbin/dockerd --iptables=false \
    --data-root "$DIR/data-root" --exec-root "$DIR/exec-root" \
    --pidfile "$DIR/dockerd.pid" -H "unix://$SOCKET" >"$DIR/dockerd.log" 2>&1 &
  for _ in $(seq 1 150); do daemon_up && break; sleep 0.2; done
  daemon_up || { tail -20 "$DIR/dockerd.log" >&2; die "dockerd did not come up in 30 s (log: $DIR/dockerd.log)"; }
fi
log "dockerd $("$DOCKER" version --format '{{.Server.Version}}') is up"

# 4. The registry on 127.0.0.1:5000 ---------------------------------------------------------------
registry_up() { curl -fs -o /dev/null "http://$REGISTRY/v2/"; }
if ! registry_up; then
  log "starting docker-registry on $REGISTRY"
  cat >"$DIR/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DIR/registry-data
  delete:
    enabled: true
http:
  addr: $REGISTRY
YML
  nohup /usr/bin/docker-registry serve "$DIR/registry.yml" >"$DIR/registry.log" 2>&1 &
  echo $! >"$DIR/registry.pid"
  for _ in $(seq 1 100); do registry_up && break; sleep 0.1; done
  registry_up || { tail -20 "$DIR/registry.log" >&2; die "docker-registry did not come up on $REGISTRY"; }
fi
log "registry is up on $REGISTRY"

cat >"$DIR/env" <<ENV
DOCKER_HOST=unix://$SOCKET
XLINT_REGISTRY=$REGISTRY
XLINT_DOCKER=$DOCKER
ENV

# 5. Base images ----------------------------------------------------------------------------------
# Bump when an image's recipe changes: images published by an older recipe are rebuilt.
RECIPE=2
have_index() { # a manifest list with both arches, published by this recipe, is in the registry
  local out
  [ "$(cat "$DIR/recipe-${1//\//_}" 2>/dev/null)" = "$RECIPE" ] || return 1
  out=$(curl -fsS -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$REGISTRY/v2/$1/manifests/$2" 2>/dev/null) || return 1
  for a in $ARCHES; do grep -q "\"architecture\": *\"$a\"" <<<"$out" || return 1; done
}

# Downloads a package of one arch into $DIR/debs (cached), prints its path.
deb() { # name arch
  local name=$1 arch=$2 found
  found=$(ls "$DIR/debs/${name}_"*"_${arch}.deb" "$DIR/debs/${name}_"*"_all.deb" 2>/dev/null | head -1 || true)
  if [ -z "$found" ]; then
    (cd "$DIR/debs" && apt-get download -qq -o APT::Sandbox::User=root "$name:$arch" >/dev/null) || die "apt-get download $name:$arch"
    found=$(ls "$DIR/debs/${name}_"*"_${arch}.deb" "$DIR/debs/${name}_"*"_all.deb" 2>/dev/null | head -1)
  fi
  echo "$found"
}

# Publishes per-arch images $1:<arch> as one multi-platform $1:latest.
publish() { # repo
  local repo="$REGISTRY/$1" refs=()
  for a in $ARCHES; do
    "$DOCKER" push -q "$repo:$a" >/dev/null || die "docker push $repo:$a"
    refs+=("$repo:$a")
  done
  "$DOCKER" manifest rm "$repo:latest" >/dev/null 2>&1 || true
  "$DOCKER" manifest create --insecure "$repo:latest" "${refs[@]}" >/dev/null || die "docker manifest create $repo:latest"
  for a in $ARCHES; do "$DOCKER" manifest annotate "$repo:latest" "$repo:$a" --os linux --arch "$a"; done
  "$DOCKER" manifest push --purge --insecure "$repo:latest" >/dev/null || die "docker manifest push $repo:latest"
  echo "$RECIPE" >"$DIR/recipe-${1//\//_}"
}

busybox_rootfs() { # arch dir
  local arch=$1 root=$2
  rm -rf "$root" && mkdir -p "$root/x"
  dpkg-deb -x "$(deb busybox-static "$arch")" "$root/x"
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root" "$root/usr/bin" "$root/usr/local/bin"
  chmod 1777 "$root/tmp"
  cp "$root/x/bin/busybox" "$root/bin/busybox"
  rm -rf "$root/x"
  # The applet list is the same for every arch: ask the build machine's busybox.
  local host_busybox
  host_busybox=$(dpkg-deb -x "$(deb busybox-static amd64)" "$DIR/work/host-busybox" && echo "$DIR/work/host-busybox/bin/busybox")
  for applet in $("$host_busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
}

if have_index xlint/busybox latest; then
  log "busybox image already in the registry"
else
  log "building the busybox image for $ARCHES"
  for a in $ARCHES; do
    ctx="$DIR/work/busybox-$a"
    busybox_rootfs "$a" "$ctx/rootfs"
    printf 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin:/usr/bin:/bin\nCMD ["/bin/sh"]\n' >"$ctx/Dockerfile"
    "$DOCKER" build -q --platform "linux/$a" -t "$REGISTRY/xlint/busybox:$a" "$ctx" >/dev/null || die "docker build busybox $a"
  done
  publish xlint/busybox
  log "busybox image published as $REGISTRY/xlint/busybox"
fi

if [ "${XLINT_BUILDER_SKIP_GO:-}" = 1 ]; then
  log "skipping the Go toolchain image (XLINT_BUILDER_SKIP_GO=1)"
elif have_index xlint/golang latest; then
  log "Go toolchain image already in the registry"
else
  log "building the Go $GO_VERSION toolchain image for $ARCHES (about a minute)"
  for a in $ARCHES; do
    ctx="$DIR/work/golang-$a"
    busybox_rootfs "$a" "$ctx/rootfs"
    for p in libc6 "golang-$GO_VERSION-go" "golang-$GO_VERSION-src"; do dpkg-deb -x "$(deb "$p" "$a")" "$ctx/rootfs"; done
    # Keep what `go build` needs (the compiler, the standard library's sources and its precompiled
    # packages); drop the toolchain's own sources and objects, tests and docs: 474 MB -> ~260 MB.
    rm -rf "$ctx/rootfs/usr/share/doc" "$ctx/rootfs/usr/share/man" "$ctx/rootfs/usr/share/locale" "$ctx/rootfs/usr/share/lintian" \
      "$ctx/rootfs/usr/lib/go-$GO_VERSION/pkg/linux_$a/cmd" "$ctx/rootfs/usr/share/go-$GO_VERSION/src/cmd" \
      "$ctx/rootfs/usr/share/go-$GO_VERSION/test" "$ctx/rootfs/usr/share/go-$GO_VERSION/api" "$ctx/rootfs/usr/share/go-$GO_VERSION/misc"
    ln -sf "../lib/go-$GO_VERSION/bin/go" "$ctx/rootfs/usr/bin/go"
    ln -sf "../lib/go-$GO_VERSION/bin/gofmt" "$ctx/rootfs/usr/bin/gofmt"
    cat >"$ctx/Dockerfile" <<DF
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/lib/go-$GO_VERSION/bin:/usr/local/bin:/usr/bin:/bin GOROOT=/usr/lib/go-$GO_VERSION GOPATH=/go GOCACHE=/root/.cache/go-build GOFLAGS=-mod=mod GOTOOLCHAIN=local HOME=/root
WORKDIR /src
CMD ["/bin/sh"]
DF
    "$DOCKER" build -q --platform "linux/$a" -t "$REGISTRY/xlint/golang:$a" "$ctx" >/dev/null || die "docker build golang $a"
    rm -rf "$ctx/rootfs"
  done
  publish xlint/golang
  log "Go toolchain image published as $REGISTRY/xlint/golang"
fi

# The C toolchain image (opt-in): gcc, make and libc6-dev of the arch with every dependency, unpacked
# from .debs; the amd64 image also holds gcc-aarch64-linux-gnu + libc6-dev-arm64-cross, so a
# $BUILDPLATFORM stage on an amd64 builder can cross-compile C for arm64.
gcc_packages() { # arch
  local a=$1 want="gcc:$1 make:$1 libc6-dev:$1"
  [ "$a" = amd64 ] && want="$want gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
  # Real packages only (no <virtual>), without the arch qualifier; a foreign-arch name (libc6 of the
  # host in the arm64 list, libc6:arm64 of the cross packages) is fetched for $a, which has it too.
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances $want 2>/dev/null |
    grep -v '^[ <]' | sed 's/:.*//' | sort -u
}
if [ "${XLINT_BUILDER_GCC:-}" != 1 ]; then
  :
elif have_index xlint/gcc latest; then
  log "C toolchain image already in the registry"
else
  log "building the gcc image for $ARCHES (about ten minutes the first time: one apt-get download per package)"
  for a in $ARCHES; do
    ctx="$DIR/work/gcc-$a"
    busybox_rootfs "$a" "$ctx/rootfs"
    for p in $(gcc_packages "$a"); do dpkg-deb -x "$(deb "$p" "$a")" "$ctx/rootfs"; done
    rm -rf "$ctx/rootfs/usr/share/doc" "$ctx/rootfs/usr/share/man" "$ctx/rootfs/usr/share/info" "$ctx/rootfs/usr/share/locale" "$ctx/rootfs/usr/share/lintian"
    ln -sf gcc "$ctx/rootfs/usr/bin/cc" # an update-alternatives link: no maintainer script ran
    [ -e "$ctx/rootfs/usr/bin/gcc" ] || die "gcc image $a: /usr/bin/gcc missing"
    cat >"$ctx/Dockerfile" <<DF
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin HOME=/root
WORKDIR /src
CMD ["/bin/sh"]
DF
    "$DOCKER" build -q --platform "linux/$a" -t "$REGISTRY/xlint/gcc:$a" "$ctx" >/dev/null || die "docker build gcc $a"
    rm -rf "$ctx/rootfs"
  done
  publish xlint/gcc
  log "C toolchain image published as $REGISTRY/xlint/gcc"
fi

images=busybox,golang
[ "${XLINT_BUILDER_GCC:-}" != 1 ] || images=$images,gcc
log "ready: source $DIR/env (DOCKER_HOST=unix://$SOCKET), images $REGISTRY/xlint/{$images}"
