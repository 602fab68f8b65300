# The THETA community guide, section 7.3: list, then transfer the latest file to output.jpg.
from thetaPythonTest import listAll, latestFileUri, getImage

entries = listAll()["results"]["entries"]
print(entries[0]["uri"])
getImage(latestFileUri())
