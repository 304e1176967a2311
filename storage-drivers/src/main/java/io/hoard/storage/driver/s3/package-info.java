/**
 * The s3 driver on the AWS SDK for Java v2: AWS S3 and compatible stores (MinIO, Riak CS, Ceph).
 * Starting point: {@link io.hoard.storage.driver.s3.S3Driver}.
 */
@NullMarked
package io.hoard.storage.driver.s3;

import org.jspecify.annotations.NullMarked;
