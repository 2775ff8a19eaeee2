# The Dockerfile drawn in docs/build-graph.svg (README, "A picture of the build").
FROM --platform=$BUILDPLATFORM golang:1.22 AS tools
RUN go install golang.org/x/tools/cmd/stringer@v0.24.0

FROM golang:1.22 AS build
COPY --from=tools /go/bin/stringer /usr/local/bin/stringer
WORKDIR /src
COPY . .
RUN go generate ./... && go build -o /out/app ./cmd/app

FROM alpine:3.20 AS debug
RUN apk add --no-cache gdb

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
