"""Building and publishing the image: the generic Dockerfile, its build context, and the
docker command line."""
