# Lets ALE's find_package(OpenCV CONFIG REQUIRED) resolve to the header-only shim beside this file
# (opencv2/opencv.hpp: the one function ALE's vector env calls). Nothing to link.
set(OpenCV_FOUND TRUE)
set(OpenCV_VERSION 4.10.0)
set(OpenCV_INCLUDE_DIRS "${CMAKE_CURRENT_LIST_DIR}")
set(OpenCV_LIBS "")
