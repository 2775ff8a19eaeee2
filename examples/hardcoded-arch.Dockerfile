# Deploy-tool image whose build stage hardcodes amd64: a linux-amd64 helm download and GOARCH=amd64.
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
ARG HELM_VERSION=3.15.2
RUN mkdir -p /out && \
    curl -fsSL "https://get.helm.sh/helm-v${HELM_VERSION}-linux-amd64.tar.gz" \
        | tar -xz -C /tmp && \
    install -m 0755 /tmp/linux-amd64/helm /out/helm

WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
    go build -trimpath -o /out/deployer ./cmd/deployer

FROM alpine:3.20
RUN apk add --no-cache ca-certificates git
COPY --from=build /out/ /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/deployer"]
