# The image holds nothing but the exporter and the CA certificates it needs to
# reach the SWR API over HTTPS. It is built from files `make build` has put in
# .build/, so building it needs no base image and no network:
#
#   make build docker
#
# or, by hand after `make build`:
#
#   docker build -t swr-exporter .
#
# make build compiles the binary with Go go1.27.3 (RELEASE_GO in the
# Makefile), the release whose standard library govulncheck finds clean.
#
# TARGETOS and TARGETARCH pick the binary: .build/<os>-<arch>/swr_exporter.
# Docker's BuildKit and buildah set them from --platform; the defaults suit a
# plain build on linux/amd64.
FROM scratch

ARG TARGETOS=linux
ARG TARGETARCH=amd64

LABEL org.opencontainers.image.title="swr_exporter" \
      org.opencontainers.image.description="Prometheus exporter for the shared repositories of Huawei Cloud SWR" \
      org.opencontainers.image.source="https://github.com/swr-exporter/swr_exporter"

COPY .build/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY .build/${TARGETOS}-${TARGETARCH}/swr_exporter /bin/swr_exporter

USER 65534:65534
EXPOSE 10029
ENTRYPOINT ["/bin/swr_exporter"]
CMD ["--config.file=/etc/swr_exporter/swr.yml"]
