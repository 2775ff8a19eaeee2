# c-lua.Dockerfile as xlint's emulated-build-stage suggestion describes it (the C fix is display-only:
# `--fix` never writes it): the build stage runs on the builder and a <triple>-gcc cross compiler
# builds for the target.
FROM --platform=$BUILDPLATFORM 127.0.0.1:5000/xlint/gcc AS build
ARG TARGETARCH
WORKDIR /src
COPY lua/ ./
RUN case "$TARGETARCH" in \
      amd64) triple=x86_64-linux-gnu ;; \
      arm64) triple=aarch64-linux-gnu ;; \
      *) echo "no cross compiler for $TARGETARCH in this image" >&2; exit 1 ;; \
    esac && \
    make -j"$(nproc)" linux CC="$triple-gcc -std=gnu99" AR="$triple-ar rcu" RANLIB="$triple-ranlib" MYLDFLAGS=-static && \
    mkdir -p /out/usr/local/bin && cp src/lua src/luac /out/usr/local/bin/

FROM 127.0.0.1:5000/xlint/busybox
COPY --from=build /out/usr/local/ /usr/local/
CMD ["lua", "-v"]
