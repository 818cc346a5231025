package io.sluice.operators.decode;

import io.sluice.schemas.PipelineRecord;

/** Turns one raw payload into a pipeline record, or says precisely why it cannot. */
public interface PayloadDecoder {

  PipelineRecord decode(byte[] payload, IngestContext context) throws DecodeException;
}
