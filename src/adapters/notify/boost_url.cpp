// Boost.URL compiled into the operator (its src.hpp, included once in the program): the
// notifiers parse URLs with it, and the runtime image has no libboost_url (2.4 MB installed,
// past the image's 125 MB budget), so nothing may depend on the shared library.
#include <boost/url/src.hpp>
