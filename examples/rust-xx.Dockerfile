# Rust service cross-compiled with tonistiigi/xx on the builder's platform (the correct shape).
FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.4 AS xx

FROM --platform=$BUILDPLATFORM rust:1.79 AS build
COPY --from=xx / /
RUN apt-get update && \
    apt-get install -y --no-install-recommends clang lld
WORKDIR /src

ARG TARGETPLATFORM
RUN xx-apt-get install -y gcc libc6-dev

COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target,sharing=locked \
    xx-cargo build --release --locked && \
    xx-verify ./target/$(xx-cargo --print-target-triple)/release/ledger-sync && \
    cp ./target/$(xx-cargo --print-target-triple)/release/ledger-sync /usr/local/bin/ledger-sync

FROM debian:bookworm-slim
COPY --from=build /usr/local/bin/ledger-sync /usr/local/bin/ledger-sync
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/ledger-sync"]
