-- forward-to-node.lua: when a study becomes stable, send its series to the gastric-ai node.
--
-- Loaded by Orthanc through "LuaScripts" only when a node is configured; the node must be declared in
-- "DicomModalities" under the symbolic name "gastric-ai" (see orthanc.template.json).
--
-- * The node's own results (SR/SEG/SC written with a SeriesDescription starting with "AI " or "AI:") are never
--   sent: results stored back into this PACS must not go to the node again.
-- * Storing those results makes the study unstable, and stable again a little later. So that this does not
--   re-send the whole study (and start the analysis again, in a loop), the script remembers what it sent in the
--   study's user metadata "GastricAiForwarded" (declared in "UserMetadata"): the list of forwarded series with
--   their instance counts. A study is forwarded again only when that list changes (a new or grown series).
-- Log lines carry the Orthanc study ID and counts only: no patient names, no UIDs.

local NODE_MODALITY = 'gastric-ai'
local FORWARDED_METADATA = 'GastricAiForwarded'

-- True when the series was produced by the node ("AI ..." / "AI:..." SeriesDescription).
function IsNodeResultSeries(series)
  local tags = series['MainDicomTags'] or {}
  local description = tags['SeriesDescription']
  if type(description) ~= 'string' then
    return false
  end
  local prefix = string.sub(description, 1, 3)
  return prefix == 'AI ' or prefix == 'AI:'
end

-- The series of the study to forward (Orthanc IDs), the number skipped, and a signature of what is forwarded.
function SeriesToForward(studyId)
  local answer = RestApiGet('/studies/' .. studyId .. '/series', true)
  if answer == nil then
    return nil, 0, ''
  end
  local selected = {}
  local parts = {}
  local skipped = 0
  for _, series in ipairs(ParseJson(answer)) do
    if IsNodeResultSeries(series) then
      skipped = skipped + 1
    else
      table.insert(selected, series['ID'])
      table.insert(parts, series['ID'] .. ':' .. #(series['Instances'] or {}))
    end
  end
  table.sort(parts)
  return selected, skipped, table.concat(parts, ',')
end

-- What was last forwarded for this study ('' if nothing).
function LastForwarded(studyId)
  local answer = RestApiGet('/studies/' .. studyId .. '/metadata?expand', true)
  if answer == nil then
    return ''
  end
  return ParseJson(answer)[FORWARDED_METADATA] or ''
end

function OnStableStudy(studyId, tags, metadata)
  local selected, skipped, signature = SeriesToForward(studyId)
  if selected == nil then
    print('[forward-to-node] study ' .. studyId .. ': cannot list its series, nothing forwarded')
    return
  end
  if #selected == 0 then
    print('[forward-to-node] study ' .. studyId .. ': no series to forward (' .. skipped ..
          ' AI result series skipped)')
    return
  end
  if signature == LastForwarded(studyId) then
    print('[forward-to-node] study ' .. studyId .. ': nothing new since the last forward (' .. skipped ..
          ' AI result series skipped)')
    return
  end

  local request = DumpJson({ Resources = selected, Synchronous = true }, true)
  local result = RestApiPost('/modalities/' .. NODE_MODALITY .. '/store', request, true)
  if result == nil then
    print('[forward-to-node] FAILED: study ' .. studyId .. ': C-STORE of ' .. #selected ..
          ' series to modality "' .. NODE_MODALITY .. '" failed (see the Orthanc log above)')
    return
  end
  if RestApiPut('/studies/' .. studyId .. '/metadata/' .. FORWARDED_METADATA, signature, true) == nil then
    print('[forward-to-node] study ' .. studyId .. ': cannot record the forward; it may be sent again')
  end
  print('[forward-to-node] OK: study ' .. studyId .. ': sent ' .. #selected .. ' series to "' ..
        NODE_MODALITY .. '" (' .. skipped .. ' AI result series skipped)')
end
