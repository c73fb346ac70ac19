-- Accent- and case-insensitive search of the public archive (`GET /archive/{newsletter}?q=`), the
-- same on PostgreSQL and PGlite, without the `unaccent` extension (PGlite would have to load it,
-- and a managed PostgreSQL may not offer it).
--
-- search_fold(text): strips combining accents (text in decomposed form), spells out the
-- ligatures œ, æ and ß, maps the accented Latin letters of Latin-1 and Latin Extended-A to their
-- base letter, typographic apostrophes to ' and no-break spaces to spaces, then lower-cases:
-- « Événement » and "evenement" fold alike. IMMUTABLE, so that a constant argument is folded
-- once per query.
CREATE FUNCTION search_fold(value text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT lower(translate(
      replace(replace(replace(replace(replace(
        regexp_replace(value, '[\u0300-\u036f]', '', 'g'),
        'Œ', 'oe'), 'œ', 'oe'), 'Æ', 'ae'), 'æ', 'ae'), 'ß', 'ss'),
      'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïðñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁłŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſ'
        -- typographic apostrophes, no-break space, narrow no-break space
        || chr(8217) || chr(8216) || chr(160) || chr(8239),
      'aaaaaaceeeeiiiidnoooooouuuuyaaaaaaceeeeiiiidnoooooouuuuyyaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjkkllllllllllnnnnnnoooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs' || '''''  '))
  $$;
