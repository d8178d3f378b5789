-- SHA-256 of the whole signed access token, as issued (base64url). A resource request
-- presenting exactly these bytes is one of ours without checking the signature again
-- (an ES256 verification per userinfo call); rows written before this column, and any
-- token whose bytes differ, are still judged by their signature.
ALTER TABLE access_tokens ADD COLUMN token_hash TEXT;
