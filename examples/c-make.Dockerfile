# Autotools C daemon built with gcc on the target platform (emulated), plus a dpkg arch probe in a URL.
FROM gcc:13 AS build
RUN apt-get update && \
    apt-get install -y --no-install-recommends \
        libssl-dev \
        zlib1g-dev \
        libevent-dev \
        pkg-config && \
    rm -rf /var/lib/apt/lists/*

# tini names its release assets after Debian architectures.
ARG TINI_VERSION=v0.19.0
RUN TINI_ARCH="$(dpkg --print-architecture)" && \
    mkdir -p /out/usr/local/bin && \
    curl -fsSLo /out/usr/local/bin/tini \
        "https://github.com/krallin/tini/releases/download/${TINI_VERSION}/tini-static-${TINI_ARCH}" && \
    chmod 0755 /out/usr/local/bin/tini

WORKDIR /src
COPY . .
RUN ./configure --prefix=/usr/local --with-openssl && \
    make -j"$(nproc)" && \
    make install DESTDIR=/out

FROM debian:bookworm-slim
RUN apt-get update && \
    apt-get install -y --no-install-recommends libssl3 zlib1g libevent-2.1-7 && \
    rm -rf /var/lib/apt/lists/*
COPY --from=build /out/usr/local/ /usr/local/
ENTRYPOINT ["/usr/local/bin/tini", "--", "/usr/local/bin/mqbridge"]
